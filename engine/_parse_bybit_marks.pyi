from engine._parse_balances import BalanceParser

class BybitMarkParser(BalanceParser):
    def __init__(self) -> None: ...
