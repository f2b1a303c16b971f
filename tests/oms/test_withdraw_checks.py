"""The withdrawal checks one by one (engine.oms.withdraw_checks) and the engine's allow-list
(engine.withdraw_allowlist)."""

import os
from decimal import Decimal

import pytest

import engine
from engine.config import VenueConfig
from engine.errors import ConfigError, EngineError
from engine.oms import withdraw_checks as C
from engine.venues.wallet import WithdrawAddress, WithdrawNetwork
from engine.withdraw_allowlist import AllowedAddress, parse_entry, read_allowlist_file, shorten

ETH_ADDR = "0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c"
ETH = WithdrawNetwork("USDT", "ETH", "Ethereum", True, Decimal("1.5"), Decimal("10"), Decimal("1000"),
                      Decimal("0.01"), r"^(0x)[0-9A-Fa-f]{40}$", None, False, False)
XRP = WithdrawNetwork("XRP", "XRP", "Ripple", True, Decimal("0.2"), Decimal("1"), None, None, r"^r[0-9A-Za-z]{24,34}$",
                      r"^[0-9]{1,10}$", True, True)


def refused(exc_type, rule, fn, *args):
    with pytest.raises(exc_type) as info:
        fn(*args)
    assert info.value.rule == rule and isinstance(info.value, EngineError)
    return str(info.value)


def test_allowlist_empty_by_default_refuses_everything():
    cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s")
    assert cfg.withdraw_allowlist == () and cfg.withdraw_allowlist_file is None
    refused(C.WithdrawalNotAllowed, "allowlist_empty", C.check_allowlist, cfg.withdraw_allowlist, ETH_ADDR, "ETH",
            "USDT", None)


def test_allowlist_entries_narrow_by_network_asset_and_memo():
    entries = (parse_entry(f"{ETH_ADDR} network=eth asset=usdt"), AllowedAddress("rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY",
                                                                                memo="42"))
    C.check_allowlist(entries, ETH_ADDR, "ETH", "USDT", None)                  # network, asset without case
    C.check_allowlist(entries, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY", "XRP", "XRP", "42")
    message = refused(C.WithdrawalNotAllowed, "allowlist", C.check_allowlist, entries, ETH_ADDR.upper(), "ETH",
                      "USDT", None)                                             # addresses compared exactly
    assert ETH_ADDR.upper() not in message                                      # shortened in messages
    refused(C.WithdrawalNotAllowed, "allowlist", C.check_allowlist, entries, ETH_ADDR, "BSC", "USDT", None)
    refused(C.WithdrawalNotAllowed, "allowlist", C.check_allowlist, entries, ETH_ADDR, "ETH", "BTC", None)
    refused(C.WithdrawalNotAllowed, "allowlist", C.check_allowlist, entries, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY",
            "XRP", "XRP", "43")
    for bad in ("", f"{ETH_ADDR} chain=ETH", f"{ETH_ADDR} network=", f"{ETH_ADDR} asset=A asset=B"):
        with pytest.raises(ConfigError):
            parse_entry(bad)
    with pytest.raises(ConfigError):
        VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s", withdraw_allowlist=ETH_ADDR)
    assert shorten(ETH_ADDR) == "0x7130...ad9c"


def test_allowlist_file_read_each_time_and_only_its_owner_may_write(tmp_path):
    path = tmp_path / "allow.txt"
    path.write_text(f"# mine\n{ETH_ADDR} network=ETH   # cold wallet\n\n")
    os.chmod(path, 0o600)
    cfg = VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s", withdraw_allowlist_file=str(path))
    assert read_allowlist_file(cfg.withdraw_allowlist_file) == (AllowedAddress(ETH_ADDR, network="ETH"),)
    path.write_text("")
    assert read_allowlist_file(cfg.withdraw_allowlist_file) == ()
    os.chmod(path, 0o622)
    with pytest.raises(ConfigError, match="chmod go-w"):
        read_allowlist_file(path)
    with pytest.raises(ConfigError):
        VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s", withdraw_allowlist_file=str(path))
    with pytest.raises(ConfigError):
        VenueConfig.local("binance-spot", "http://127.0.0.1:9", "k", "s",
                          withdraw_allowlist_file=str(tmp_path / "missing"))


def test_network_amount_address_memo_book_limit_balance():
    disabled = WithdrawNetwork(**{**{f: getattr(ETH, f) for f in ETH.__slots__}, "network": "BSC",
                                  "withdraw_enabled": False})
    assert C.pick_network([ETH, disabled], "USDT", "ETH") is ETH
    assert "did you mean 'ETH'" in refused(C.UnknownWithdrawNetwork, "network", C.pick_network, [ETH], "USDT", "eth")
    refused(C.WithdrawNetworkDisabled, "network_disabled", C.pick_network, [ETH, disabled], "USDT", "BSC")
    C.check_amount(ETH, Decimal("10.01"))
    refused(C.WithdrawAmountError, "min_amount", C.check_amount, ETH, Decimal("9.99"))
    refused(C.WithdrawAmountError, "max_amount", C.check_amount, ETH, Decimal("1000.01"))
    refused(C.WithdrawAmountError, "precision", C.check_amount, ETH, Decimal("10.001"))
    C.check_address(ETH, ETH_ADDR, None)
    refused(C.InvalidWithdrawAddress, "address_format", C.check_address, ETH, ETH_ADDR[:-1], None)
    refused(C.InvalidWithdrawAddress, "memo_not_supported", C.check_address, ETH, ETH_ADDR, "1")
    C.check_address(XRP, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY", "42")
    refused(C.InvalidWithdrawAddress, "memo_required", C.check_address, XRP, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY", None)
    refused(C.InvalidWithdrawAddress, "memo_format", C.check_address, XRP, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY", "x")
    broken = WithdrawNetwork(**{**{f: getattr(ETH, f) for f in ETH.__slots__}, "address_regex": "(?<bad"})
    refused(C.InvalidWithdrawAddress, "regex_unusable", C.check_address, broken, ETH_ADDR, None)
    C.check_address_book(None, ETH_ADDR, "ETH", "USDT", None)                   # the venue keeps none
    C.check_address_book([WithdrawAddress("USDT", "ETH", ETH_ADDR)], ETH_ADDR, "ETH", "USDT", None)
    refused(C.AddressNotInAddressBook, "address_book", C.check_address_book, [], ETH_ADDR, "ETH", "USDT", None)
    refused(C.AddressNotInAddressBook, "address_book", C.check_address_book,
            [WithdrawAddress("USDT", "TRX", ETH_ADDR)], ETH_ADDR, "ETH", "USDT", None)
    C.check_daily_limit("USDT", Decimal("100"), Decimal("60"), Decimal("40"))
    refused(C.WithdrawDailyLimit, "daily_limit", C.check_daily_limit, "USDT", Decimal("100"), Decimal("60"),
            Decimal("40.01"))
    C.check_balance("USDT", Decimal("11.5"), Decimal("10"), Decimal("1.5"))
    refused(C.WithdrawBalanceTooLow, "balance", C.check_balance, "USDT", Decimal("11.49"), Decimal("10"),
            Decimal("1.5"))


def test_bad_input_is_a_type_or_value_error():
    assert C.parse_amount("10.50") == Decimal("10.50") and C.parse_amount(3) == 3
    for bad, exc in ((0.1, TypeError), (True, TypeError), (None, TypeError), ("x", ValueError), ("-1", ValueError),
                     ("0", ValueError), ("NaN", ValueError), (Decimal("Infinity"), ValueError)):
        with pytest.raises(exc):
            C.parse_amount(bad)
    assert C.check_client_id("wd-1_a.B") == "wd-1_a.B"
    for bad in ("", "x" * 33, "a b", "wd/1", 7):
        with pytest.raises(ValueError):
            C.check_client_id(bad)
    assert issubclass(engine.WithdrawalRefused, engine.EngineError)
    assert {"Withdrawal", "WithdrawalStatus", "WithdrawalRefused", "AllowedAddress"} <= set(engine.__all__)
