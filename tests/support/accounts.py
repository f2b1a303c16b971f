"""A small account for pre-trade tests: a spot BTCUSDT and a linear ETHUSDT perpetual, with money."""

from engine._account import Account
from engine._instruments import ContractType, Instruments
from engine._positions import PositionBook

E8 = 100_000_000


class TwoInstrumentAccount:
    """Instruments (``btc`` spot, ``eth`` linear perpetual at leverage 10), positions and an account holding
    ``balance`` USDT (spot and futures wallet) and 1,000 BTC."""

    def __init__(self, balance: int = 10_000_000):
        self.reg = Instruments(16)
        self.btc = self.reg.add("BTCUSDT", "BTC", "USDT", ContractType.SPOT, tick="0.01", min_price="0.01",
                                max_price="1000000", step="0.00001", min_qty="0.00001", max_qty="9000",
                                min_notional="5", max_orders=200)
        self.eth = self.reg.add("ETHUSDT", "ETH", "USDT", ContractType.LINEAR_PERPETUAL, tick="0.01",
                                min_price="0.01", step="0.001", min_qty="0.001", max_qty="10000", min_notional="20")
        self.book = PositionBook(16)
        self.acc = Account(self.reg, self.book, 64, margin_asset="USDT")
        self.usdt = self.reg.asset_ids["USDT"]
        self.acc.apply_balance(self.usdt, balance * E8, 0)
        self.acc.apply_balance(self.reg.asset_ids["BTC"], 1_000 * E8, 0)
        self.acc.apply_futures_balance(self.usdt, balance * E8, balance * E8)
        self.book.set_leverage(self.eth, 10)
