"""`partnerdesk rules …` — placeholder, replaced by the rules work."""

import argparse


def add_rules_commands(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    subparsers.add_parser("rules", help="assess a case or a bonus spend from JSON")
