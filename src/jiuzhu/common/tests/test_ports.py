"""``common.ports.Port``: a lower app's port, filled in by the app above it at start-up."""

import pytest

from jiuzhu.common.ports import Port, PortNotProvided


def test_a_port_nobody_provided_names_the_app_that_should_have():
    port: Port[object] = Port("jiuzhu.example.ports.Things", provider="jiuzhu.upper")
    assert not port.provided
    with pytest.raises(PortNotProvided) as exc:
        port.get()
    assert "jiuzhu.example.ports.Things" in str(exc.value) and "jiuzhu.upper" in str(exc.value)


def test_a_provided_port_hands_out_its_implementation():
    port: Port[object] = Port("jiuzhu.example.ports.Things", provider="jiuzhu.upper")
    first, second = object(), object()
    port.provide(first)
    assert port.provided and port.get() is first
    port.provide(second)  # a second start-up (a test settings reload) replaces it
    assert port.get() is second
