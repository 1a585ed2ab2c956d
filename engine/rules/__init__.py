"""Rules as small pure functions named after the legal quantity they compute."""
