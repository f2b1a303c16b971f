from engine._parse_balances import BalanceParser

class GateBalanceParser(BalanceParser):
    def __init__(self) -> None: ...
