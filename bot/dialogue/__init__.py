"""The conversation: questions, forgiving parsing, and the pure state machine."""
