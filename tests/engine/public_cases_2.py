"""Maps the withdrawal, exception, loan, Roth and SEPP cases of public-cases-2.json to Profiles.

Topics of the file that the engine does not compute yet (Roth IRA ordering, backdoor
Roth, Roth IRA phase-out, creditor protection, Social Security) are listed in NOT_MAPPED with
the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.engine.public_cases import DATA, EXC, Getter, Profile, _f, opt

CASES_FILE_2 = DATA / "public-cases-2.json"
BIG = 500000  # a balance large enough that no balance limit binds


def amount_of(r: dict[str, Any], code: str, key: str) -> Any:
    """One exception's figure in report.withdrawal.exception_amounts."""
    rows = r["withdrawal"]["exception_amounts"]
    return next(a[key] for a in rows if a["code"] == code)


def _hardship(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_distribution"],
        "filing_status": i["filing_status"],
        "salary": i["other_income_wages"],
        "state_tax_percent": i["state_tax_assumed"],
        "balances": {"pretax": BIG},
        "withdrawal": {"net_needed": i["net_need_after_federal_tax"], "reason": "eviction"},
    }


def _withholding(i: dict[str, Any]) -> Profile:
    leaving = i["distribution_type"] == "cash_out_after_separation"
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": 40,
        "salary": 60000,
        "balances": {"pretax": BIG},
        "job_change": {"leaving": leaving},
        "withdrawal": {
            "amount": i["gross_amount"],
            "reason": "none" if leaving else "eviction",
        },
    }


def _medical(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_distribution"],
        "salary": i["agi_excluding_distribution"],
        "balances": {"pretax": BIG},
        "withdrawal": {
            "amount": i["distribution_taxable"],
            "reason": "medical",
            "medical_expenses": i["unreimbursed_medical_expenses_paid_in_year"],
        },
    }


def _disaster(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_distribution"],
        "salary": 60000,
        "balances": {"pretax": BIG},
        "withdrawal": {
            "amount": i["distributions_for_same_disaster"],
            "exceptions": ["disaster"],
        },
    }


def _ltc(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["distribution_date"],
        "age": 45,
        "salary": 60000,
        "balances": {"pretax": i["vested_balance"]},
        "withdrawal": {
            "amount": i["ltc_premiums_paid_in_year"],
            "exceptions": ["ltc_premiums"],
            "ltc_premiums": i["ltc_premiums_paid_in_year"],
        },
    }


def _emergency(i: dict[str, Any]) -> Profile:
    return {
        "as_of": "2026-06-30",
        "age": 40,
        "salary": 50000,
        "balances": {"pretax": i["vested_balance"]},
        "withdrawal": {"amount": 500, "exceptions": ["emergency"]},
    }


def _abuse(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": 40,
        "salary": 50000,
        "balances": {"pretax": i["vested_balance"]},
        "withdrawal": {"amount": 500, "exceptions": ["domestic_abuse"]},
    }


def _exception(i: dict[str, Any]) -> Profile:
    if "birth_date" in i:
        return {
            "as_of": i["distribution_date"],
            "birth_date": i["birth_date"],
            "salary": 60000,
            "balances": {"pretax": BIG},
            "job_change": {
                "leaving": True,
                "separation_date": i["separation_date"],
                "public_safety": i["public_safety"],
            },
            "withdrawal": {"amount": i["distribution_taxable"]},
        }
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_distribution"],
        "salary": 60000,
        "balances": {"pretax": BIG},
        "withdrawal": {"amount": i["distribution_taxable"], "reason": "home_purchase"},
    }


def _amortization(i: dict[str, Any]) -> Profile:
    return {
        "as_of": "2026-06-30",
        "age": 40,
        "salary": 60000,
        "balances": {"pretax": BIG},
        "loan": {
            "request": {
                "amount": i["principal"],
                "annual_rate_percent": i["annual_rate"] * 100,
                "years": i["term_years"],
                "payments_per_year": i["payments_per_year"],
            }
        },
    }


def _cure(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["missed_installment_due_date"],
        "age": 40,
        "salary": 60000,
        "balances": {"pretax": 30000},
        "loan": {"outstanding": 10000, "missed_payment_due": i["missed_installment_due_date"]},
    }


def _deemed_or_offset(i: dict[str, Any]) -> Profile:
    if i["employment_status"] == "still employed":
        return {
            "as_of": f"{i['tax_year']}-06-30",
            "age": i["age_at_default"],
            "salary": 60000,
            "balances": {"pretax": 30000},
            "loan": {
                "outstanding": i["outstanding_balance_incl_accrued_interest"],
                "missed_payment_due": f"{i['tax_year']}-05-31",
            },
        }
    return {
        "as_of": i["offset_date"],
        "birth_date": i["birth_date"],
        "salary": 60000,
        "balances": {"pretax": 30000},
        "loan": {"outstanding": i["outstanding_loan_offset"]},
        "job_change": {"leaving": True, "separation_date": i["severance_date"]},
    }


def _treatment(r: dict[str, Any]) -> str:
    ln = r["loan"]
    if ln["default"] is not None:
        treatment: str = ln["default"]["treatment"]
        return treatment
    return "qualified_plan_loan_offset" if ln["offset"] is not None else "none"


def _roth(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['distribution_year']}-06-30",
        "age": i["age_at_distribution"],
        "salary": 50000,
        "balances": {
            "roth": i["account_balance"],
            "roth_basis": i["roth_contribution_basis"],
            "roth_first_year": i["first_designated_roth_contribution_year"],
        },
        "withdrawal": {"amount": i["distribution_amount"], "source": "roth"},
    }


def _sepp(i: dict[str, Any]) -> Profile:
    return {
        "as_of": "2026-06-30",
        "age": i["age_in_first_year"],
        "salary": 0,
        "balances": {"pretax": i["account_balance"]},
        "assumptions": {"sepp_rate_percent": i["interest_rate"] * 100},
        "job_change": {"leaving": True},
    }


def _sepp_mod(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["first_payment_date"],
        "birth_date": i["birth_date"],
        "salary": 0,
        "balances": {"pretax": 300000},
        "job_change": {"leaving": True},
    }


def _after_tax(i: dict[str, Any]) -> Profile:
    after_tax = i["after_tax_contributions"] + i["earnings_on_after_tax"]
    return {
        "as_of": "2026-06-30",
        "age": 50,
        "salary": 60000,
        "balances": {"pretax": i["pretax_amounts"]},
        "job_change": {
            "leaving": True,
            "after_tax": {"amount": after_tax, "basis": i["after_tax_contributions"]},
        },
    }


def _rmd_first(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["rollover_request_date"],
        "birth_date": i["birth_date"],
        "salary": 0,
        "five_percent_owner": i["five_percent_owner"],
        "balances": {"pretax": i["balance_at_rollover"]},
        "prior_year_end_balance": i["prior_dec31_balance"],
        "job_change": {"leaving": True, "separation_date": i["separation_date"]},
    }


def _nua(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_in_year_of_separation"],
        "filing_status": i["filing_status"],
        "salary": i["wages_in_year"],
        "job_change": {
            "leaving": True,
            "employer_stock": {
                "market_value": i["employer_stock_fmv_at_distribution"],
                "cost_basis": i["plan_cost_basis"],
            },
        },
    }


W = "withdrawal."
NUA = "job_change.nua."
SPLIT = "job_change.after_tax_split."
TOPICS_2: dict[str, tuple[Callable[[dict[str, Any]], Profile], dict[str, Getter]]] = {
    "hardship_gross_up": (
        _hardship,
        {
            "gross_distribution": _f(W + "gross"),
            "incremental_federal_income_tax": _f(W + "federal_tax"),
            "additional_tax_10pct": _f(W + "penalty"),
            "net_after_federal_tax": _f(W + "net"),
            "default_withholding_10pct": _f(W + "withholding"),
            "check_amount_if_10pct_withheld": _f(W + "cash_at_payout"),
            "balance_due_at_filing_if_10pct_withheld": lambda r: (
                r["withdrawal"]["federal_tax"]
                + r["withdrawal"]["penalty"]
                - r["withdrawal"]["withholding"]
            ),
        },
    ),
    "hardship_withholding": (
        _withholding,
        {
            "eligible_rollover_distribution": _f(W + "eligible_rollover"),
            "mandatory_20pct_applies": lambda r: (
                r["withdrawal"]["withholding_rule"] == "mandatory_20"
            ),
            "withholding_rate": lambda r: (
                r["withdrawal"]["withholding"] / r["withdrawal"]["taxable"]
            ),
            "withholding": _f(W + "withholding"),
            "cash_received": _f(W + "cash_at_payout"),
            "can_roll_over_within_60_days": lambda r: (
                r["withdrawal"]["eligible_rollover"]
                and (r["withdrawal"]["hardship"] or {}).get("rollover_allowed", True)
            ),
        },
    ),
    "penalty_free_medical": (
        _medical,
        {
            "penalty_free_amount": _f(W + "penalty_free"),
            "amount_subject_to_10pct": lambda r: (
                r["withdrawal"]["taxable"] - r["withdrawal"]["penalty_free"]
            ),
            "additional_tax_10pct": _f(W + "penalty"),
            "taxable_amount": _f(W + "taxable"),
        },
    ),
    "penalty_free_disaster_distribution": (
        _disaster,
        {
            "disaster_cap": lambda r: amount_of(r, "disaster", "limit"),
            "penalty_free_amount": _f(W + "penalty_free"),
            "amount_subject_to_10pct": lambda r: (
                r["withdrawal"]["taxable"] - r["withdrawal"]["penalty_free"]
            ),
            "additional_tax_10pct": _f(W + "penalty"),
        },
    ),
    "penalty_free_long_term_care": (
        _ltc,
        {"max_penalty_free_amount": lambda r: amount_of(r, "ltc_premiums", "limit")},
    ),
    "penalty_free_emergency_distribution": (
        _emergency,
        {"max_penalty_free_amount": lambda r: amount_of(r, "emergency", "limit")},
    ),
    "penalty_free_domestic_abuse_distribution": (
        _abuse,
        {"max_penalty_free_amount": lambda r: amount_of(r, "domestic_abuse", "limit")},
    ),
    "early_withdrawal_exception": (
        _exception,
        {
            "exception": lambda r: EXC[r["early_withdrawal"]["exception"]],
            "additional_tax_10pct": _f(W + "penalty"),
            "additional_tax_10pct_if_from_401k": _f(W + "penalty"),
        },
    ),
    "plan_loan_amortization": (
        _amortization,
        {
            "number_of_payments": _f("loan.request.number_of_payments"),
            "payment_per_period": _f("loan.request.payment"),
            "total_interest_level_payments": _f("loan.request.total_interest"),
            "balance_after_12_payments": lambda r: next(
                row["balance"]
                for row in r["loan"]["request"]["if_job_lost"]
                if row["payments_made"] == 12
            ),
        },
    ),
    "plan_loan_cure_period": (
        _cure,
        {"latest_cure_date": _f("loan.default.latest_cure_date")},
    ),
    "loan_deemed_vs_offset": (
        _deemed_or_offset,
        {
            "treatment": _treatment,
            "eligible_for_rollover": lambda r: _treatment(r) == "qualified_plan_loan_offset",
            "taxable": _f("loan.default.amount"),
            "additional_tax_10pct": _f("loan.default.penalty"),
            "loan_still_owed": _f("loan.default.loan_still_owed"),
            "later_repayments_become_basis": _f("loan.default.loan_still_owed"),
            "rollover_deadline_no_extension": _f("loan.offset.rollover_deadline"),
            "rollover_deadline_with_extension": _f("loan.offset.rollover_deadline_extended"),
            "taxable_if_not_rolled": _f("loan.offset.amount"),
            "additional_tax_10pct_if_not_rolled": _f("loan.offset.penalty_if_not_rolled"),
        },
    ),
    "roth_401k_distribution": (
        _roth,
        {
            "five_year_period_satisfied": _f("roth.five_year_met"),
            "qualified_distribution": _f("roth.qualified_now"),
            "taxable_portion": _f(W + "taxable"),
            "early_withdrawal_additional_tax": _f(W + "penalty"),
        },
    ),
    "after_tax_split_rollover": (
        _after_tax,
        {
            "pretax_total": _f(SPLIT + "to_traditional_ira"),
            "to_traditional_ira": _f(SPLIT + "to_traditional_ira"),
            "to_roth_ira": _f(SPLIT + "to_roth_ira"),
            "roth_ira_basis_from_rollover": _f(SPLIT + "to_roth_ira"),
            "taxable_now": lambda r: opt(r, "direct_rollover_ira")["federal_tax"],
        },
    ),
    "rmd_first_at_separation": (
        _rmd_first,
        {
            "applicable_age": _f("rmd.start_age"),
            "required_beginning_date": _f("rmd.required_beginning_date"),
            # the RBD is April 1 after the first distribution year
            "first_distribution_year": lambda r: int(r["rmd"]["required_beginning_date"][:4]) - 1,
            "uniform_lifetime_factor": _f("rmd.factor"),
            "rmd_2026": _f("rmd.amount"),
            "not_rollable_amount": _f("job_change.rmd_first.amount"),
            "max_direct_rollover": lambda r: (
                opt(r, "direct_rollover_ira")["gross"] - r["job_change"]["rmd_first"]["amount"]
            ),
        },
    ),
    "nua_distribution": (
        _nua,
        {
            "ordinary_income_from_basis": _f(NUA + "ordinary_income_now"),
            "nua_excluded_at_distribution": _f(NUA + "nua_amount"),
            "additional_tax_10pct": _f(NUA + "penalty_now"),
            "ltcg_tax": _f(NUA + "ltcg_tax_if_sold"),
            "incremental_tax_vs_wages_only": _f(NUA + "total_tax_nua_route"),
            "alternative_roll_all_to_ira_and_withdraw_300000_incremental_tax": _f(
                NUA + "total_tax_ira_route"
            ),
            "nua_strategy_savings": lambda r: (
                r["job_change"]["nua"]["total_tax_ira_route"]
                - r["job_change"]["nua"]["total_tax_nua_route"]
            ),
        },
    ),
    "sepp_payment": (
        _sepp,
        {"annual_payment": _f("early_withdrawal.sepp.amortization")},
    ),
    "sepp_modification": (
        _sepp_mod,
        {
            "age_59_half_date": _f("early_withdrawal.age_59_half_date"),
            "fifth_anniversary": _f("early_withdrawal.sepp.fifth_anniversary"),
            "no_modification_before": _f("early_withdrawal.sepp.no_modification_before"),
        },
    ),
}

# Expected keys that are descriptive (rates, the IRA alternative, intermediate sums): checked by
# the trace and the YAML cases, not compared here.
DESCRIPTIVE = {
    "taxable_income_before",
    "marginal_rate_before",
    "marginal_rate_at_top_after",
    "agi_including_distribution",
    "medical_floor_7_5pct",
    "dollar_limit",
    "ten_pct_of_vested",
    "indexed_dollar_cap",
    "additional_tax_10pct_if_from_ira",
    "exception_if_from_ira",
    "periodic_rate",
    "first_year_qualified_distributions_possible",
    "annuity_factor",
    "taxable_if_after_tax_earnings_also_sent_to_roth_ira",
    "default_withholding_on_rmd_10pct",
    "lump_sum_distribution",
    "required_withholding_on_stock_distribution",
    "ordinary_taxable_income",
    "tax_on_ordinary_income",
    "ltcg_at_0pct",
    "ltcg_at_15pct",
    "ltcg_at_20pct",
    "total_federal_income_tax",
    "niit",
}

NOT_MAPPED = {
    "roth_ira_vs_roth_401k_ordering": "Roth IRA ordering rules: the engine has no Roth IRA",
    "backdoor_roth_pro_rata": "backdoor Roth pro rata: other_ira_pretax not built yet",
    "roth_ira_contribution_phaseout": "Roth IRA contribution limits: not in the engine",
    "creditor_protection_bankruptcy": "creditor protection: not in the engine",
    "ss_full_retirement_age": "Social Security: retirement section not built yet",
}
