"""Maps each worked case of tests/engine/data/public-cases.json to a Profile and a Report check."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
CASES_FILE = DATA / "public-cases.json"

Profile = dict[str, Any]
Getter = Callable[[dict[str, Any]], Any]


def opt(report: dict[str, Any], oid: str) -> dict[str, Any]:
    """One job-change option of a report."""
    return next(o for o in report["job_change"]["options"] if o["id"] == oid)


def _limits(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_dec31"],
        "salary": i["compensation"],
        "plan": {
            "catch_up_allowed": i["plan_allows_catch_up"],
            "age_60_63_catch_up": i["plan_allows_age_60_63_catch_up"],
        },
    }


def _roth_catch_up(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_dec31"],
        "salary": i["prior_year_fica_wages_box3_same_employer"],
        "prior_year_fica_wages": i["prior_year_fica_wages_box3_same_employer"],
        "plan": {"roth_available": i["plan_offers_roth"]},
    }


def _match(i: dict[str, Any]) -> Profile:
    tiers = {
        "100% of first 3% + 50% of next 2%": [(100, 3), (50, 2)],
        "50% of first 6%": [(50, 6)],
    }[i["match_formula"]]
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": 40,
        "salary": i["annual_compensation"],
        "contribution_percent": str(Decimal(str(i["deferral_rate"])) * 100),
        "match": [{"match_percent": m, "on_pay_percent": o} for m, o in tiers],
    }


def _vesting(i: dict[str, Any]) -> Profile:
    return {
        "as_of": "2026-06-30",
        "age": 40,
        "salary": 60000,
        "balances": {
            "pretax": i["employee_deferral_balance"],
            "employer": i["employer_match_balance"],
        },
        "vesting": {
            "schedule": {"cliff3": "cliff3", "graded2_6": "graded6"}[i["schedule"]],
            "years_of_service": i["years_of_vesting_service"],
        },
    }


def _loan(i: dict[str, Any]) -> Profile:
    owed = i["current_outstanding_loan_balance"]
    return {
        "as_of": "2026-06-30",
        "age": 40,
        "salary": 60000,
        "balances": {"pretax": i["vested_balance_incl_outstanding_loans"] - owed},
        "loan": {
            "outstanding": owed,
            "highest_last_12_months": i["highest_outstanding_loan_balance_prior_12m"],
        },
        "plan": {"loan_floor_10k": i["plan_uses_10k_exception"]},
    }


def _cash_out(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age_at_distribution"],
        "filing_status": i["filing_status"],
        "salary": i["other_income_wages"],
        "balances": {"pretax": i["traditional_pretax_balance_distributed"]},
        "job_change": {"leaving": True, "public_safety": i["qualified_public_safety_employee"]},
    }


def _indirect(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": i["age"],
        "filing_status": i["filing_status"],
        "salary": i["other_income_wages"],
        "balances": {"pretax": i["distribution"]},
        "job_change": {"leaving": True},
    }


def _rmd(i: dict[str, Any]) -> Profile:
    roth = i.get("of_which_designated_roth", 0)
    total = i["prior_dec31_total_balance"]
    working = i.get("still_employed_by_plan_sponsor", False)
    return {
        "as_of": f"{i['distribution_year']}-06-30",
        "age": i["age_at_dec31"],
        "salary": 50000 if working else 0,
        "balances": {"pretax": total - roth, "roth": roth},
        "five_percent_owner": i.get("five_percent_owner", False),
        "job_change": {"leaving": not working, "separation_date": "2020-12-31"}
        if not working
        else {},
    }


def _rmd_age(i: dict[str, Any]) -> Profile:
    month = i["birth_month"] or 1
    return {
        "as_of": "2026-06-30",
        "birth_date": f"{i['birth_year']}-{month:02d}-15",
        "salary": 0,
        "job_change": {"leaving": True, "separation_date": "2015-12-31"},
    }


def _force_out(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["distribution_date"],
        "age": 35,
        "salary": 50000,
        "balances": {"pretax": i["vested_balance_excluding_rollovers"]},
        "job_change": {"leaving": True},
    }


def _roth5(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['distribution_year']}-06-30",
        "age": i["age_at_distribution"],
        "salary": 50000,
        "balances": {
            "roth": i["account_balance"],
            "roth_basis": i["roth_contribution_basis"],
            "roth_first_year": i["first_designated_roth_contribution_year"],
        },
    }


def _roth_ira(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['rollover_year']}-06-30",
        "age": i["age"],
        "salary": 50000,
        "balances": {
            "roth": 10000,
            "roth_first_year": i["designated_roth_first_contribution_year"],
        },
        "job_change": {"leaving": True},
    }


def _qplo(i: dict[str, Any]) -> Profile:
    return {
        "as_of": i["severance_date"],
        "age": i["age"],
        "salary": 60000,
        "balances": {"pretax": 30000},
        "loan": {"outstanding": i["outstanding_loan_offset"]},
        "job_change": {"leaving": True, "separation_date": i["severance_date"]},
    }


def _emergency(i: dict[str, Any]) -> Profile:
    return {
        "as_of": "2026-06-30",
        "age": 40,
        "salary": 50000,
        "balances": {"pretax": i["vested_balance"]},
    }


def _abuse(i: dict[str, Any]) -> Profile:
    return {
        "as_of": f"{i['tax_year']}-06-30",
        "age": 40,
        "salary": 50000,
        "balances": {"pretax": i["vested_balance"]},
    }


def _f(path: str) -> Getter:
    """A getter for a dotted path into the report."""

    def get(r: dict[str, Any]) -> Any:
        cur: Any = r
        for part in path.split("."):
            cur = cur[part]
        return cur

    return get


def _o(oid: str, key: str) -> Getter:
    return lambda r: opt(r, oid)[key]


KIND = {"age_50": "age_50_plus", "age_60_63": "age_60_63", "none": "none"}
EXC = {"separation_age_55": "separation_from_service_age_55", None: None}

# topic -> (profile builder, {expected key -> getter from the report}); keys not listed are
# descriptive (notes, derived rates) and checked by the YAML cases instead.
TOPICS: dict[str, tuple[Callable[[dict[str, Any]], Profile], dict[str, Getter]]] = {
    "contribution_limit": (
        _limits,
        {
            "elective_deferral_limit_402g": _f("limits.deferral_402g"),
            "catch_up_limit": _f("limits.catch_up"),
            "catch_up_type": lambda r: KIND[r["limits"]["catch_up_kind"]],
            "total_employee_deferral_limit": _f("limits.employee_total"),
            "annual_additions_limit_415c": _f("limits.annual_additions_415c"),
            "max_total_annual_additions_incl_catch_up": _f("limits.annual_additions_total"),
        },
    ),
    "roth_catch_up_mandate": (
        _roth_catch_up,
        {
            "roth_catch_up_threshold_prior_year_wages": _f("limits.roth_catch_up_threshold"),
            "roth_required": _f("limits.roth_catch_up_required"),
            "catch_up_tax_treatment": lambda r: (
                "Roth"
                if r["limits"]["roth_catch_up_required"]
                else (
                    "not permitted"
                    if r["limits"]["catch_up_blocked_no_roth"]
                    else "pre-tax or Roth"
                )
            ),
            "catch_up_amount_allowed": _f("limits.catch_up"),
            "total_deferral_limit": _f("limits.employee_total"),
        },
    ),
    "employer_match": (
        _match,
        {
            "plan_compensation_used": _f("contributions.plan_compensation"),
            "employee_deferral": _f("contributions.employee_annual"),
            "employer_match": _f("contributions.employer_match_annual"),
            "max_possible_match": _f("contributions.max_match_annual"),
            "match_left_on_table": _f("contributions.match_left_on_table"),
            "deferral_rate_needed_for_full_match": lambda r: (
                r["contributions"]["percent_for_full_match"] / 100
            ),
        },
    ),
    "vesting": (
        _vesting,
        {
            "employer_vested_pct": lambda r: r["vesting"]["vested_percent"] / 100,
            "vested_employer_balance": _f("vesting.vested_employer"),
            "vested_total_balance": _f("vesting.portable_balance"),
            "forfeitable_amount": _f("vesting.forfeited_if_leaving_now"),
        },
    ),
    "plan_loan": (
        _loan,
        {
            "max_new_loan": _f("loan.max_new_loan"),
            "limit_A_dollar": _f("loan.limit_dollar"),
            "limit_B_vested": _f("loan.limit_vested"),
            "repayment_term_years_max": _f("loan.repayment_term_years"),
        },
    ),
    "cash_out_distribution": (
        _cash_out,
        {
            "mandatory_withholding_20pct": _o("cash_out", "withholding"),
            "cash_received_net_of_withholding": _o("cash_out", "cash_at_payout"),
            "incremental_federal_income_tax": _o("cash_out", "federal_tax"),
            "early_withdrawal_additional_tax_10pct": _o("cash_out", "penalty"),
            "penalty_exception": lambda r: EXC[r["early_withdrawal"]["exception"]],
            "total_federal_cost": lambda r: (
                opt(r, "cash_out")["federal_tax"] + opt(r, "cash_out")["penalty"]
            ),
            "balance_due_at_filing_vs_withholding": lambda r: (
                opt(r, "cash_out")["federal_tax"]
                + opt(r, "cash_out")["penalty"]
                - opt(r, "cash_out")["withholding"]
            ),
            "net_after_federal_tax": _o("cash_out", "net_now"),
        },
    ),
    "indirect_rollover": (
        _indirect,
        {
            "taxable_distribution": lambda r: opt(r, "indirect_rollover")["if_not_made_up"][
                "taxable"
            ],
            "early_withdrawal_additional_tax": lambda r: opt(r, "indirect_rollover")[
                "if_not_made_up"
            ]["penalty"],
            "incremental_federal_income_tax": lambda r: opt(r, "indirect_rollover")[
                "if_not_made_up"
            ]["federal_tax"],
            "withholding_credit": _o("indirect_rollover", "withholding"),
        },
    ),
    "rmd_amount": (
        _rmd,
        {
            "uniform_lifetime_factor": _f("rmd.factor"),
            "rmd_base": _f("rmd.base"),
            "rmd": _f("rmd.amount"),
            "rmd_required": _f("rmd.required_now"),
        },
    ),
    "rmd_start_age": (
        _rmd_age,
        {
            "applicable_age": _f("rmd.start_age"),
            "first_distribution_year": _f("rmd.first_year"),
            "required_beginning_date": _f("rmd.required_beginning_date"),
        },
    ),
    "involuntary_cash_out": (
        _force_out,
        {
            "can_distribute_without_consent": lambda r: (
                r["job_change"]["small_balance_rule"] != "consent_required"
            ),
            "automatic_rollover_ira_required_if_no_election": lambda r: (
                r["job_change"]["small_balance_rule"] == "automatic_ira"
            ),
            "mandatory_withholding_if_paid_in_cash": _o("cash_out", "withholding"),
            "cash_paid_if_no_election": _o("cash_out", "cash_at_payout"),
        },
    ),
    "roth_401k_distribution": (
        _roth5,
        {
            "five_year_period_satisfied": _f("roth.five_year_met"),
            "first_year_qualified_distributions_possible": _f("roth.first_qualified_year"),
            "qualified_distribution": _f("roth.qualified_now"),
            "early_withdrawal_additional_tax": lambda r: (
                0 if r["roth"]["qualified_now"] else r["roth"]["taxable_if_distributed"] / 10
            ),
        },
    ),
    "roth_401k_rollover_to_roth_ira": (
        _roth_ira,
        {
            "roth_ira_qualified_distributions_from": _f("roth.roth_ira_qualified_from"),
            "plan_years_carry_over": lambda r: not r["roth"]["roth_ira_clock_restarts"],
        },
    ),
    "plan_loan_offset": (
        _qplo,
        {
            "rollover_deadline_no_extension": _f("loan.offset.rollover_deadline"),
            "rollover_deadline_with_extension": _f("loan.offset.rollover_deadline_extended"),
            "if_not_rolled_taxable": _f("loan.offset.amount"),
            "if_not_rolled_additional_tax_10pct": _f("loan.offset.penalty_if_not_rolled"),
        },
    ),
    "penalty_free_emergency_distribution": (
        _emergency,
        {"max_penalty_free_amount": _f("early_withdrawal.penalty_free_amounts.emergency_expense")},
    ),
    "penalty_free_domestic_abuse_distribution": (
        _abuse,
        {
            "max_penalty_free_amount": _f("early_withdrawal.penalty_free_amounts.domestic_abuse"),
            "indexed_dollar_cap": lambda r: None,
        },
    ),
}
