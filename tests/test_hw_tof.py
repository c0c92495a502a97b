"""VL53L1X driver against a fake I2C bus at the register level."""

from __future__ import annotations

import pytest

from hardware.sensor import SensorSettings
from hardware.tof import DEFAULT_CONFIG, Vl53l1xSensor

VALID, SIGMA_FAIL, SIGNAL_FAIL, OUT_OF_BOUNDS = 9, 6, 4, 5  # raw RESULT__RANGE_STATUS codes


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


class FakeVl53l1x:
    """Registers of a VL53L1X: model id, boot flag, data-ready bit, results, interrupts."""

    def __init__(self, samples: list[tuple[int, int]], model_id: int = 0xEACC) -> None:
        self.regs = bytearray(0x200)
        self.regs[0x010F:0x0111] = model_id.to_bytes(2, "big")
        self.regs[0x00E5] = 0x01  # firmware booted
        self.regs[0x00DE:0x00E0] = (0x01F4).to_bytes(2, "big")  # oscillator calibration
        self.samples = list(samples)
        self.writes: list[tuple[int, bytes]] = []
        self.ranging = False
        self.fail = False
        self.closed = False

    def _load(self) -> None:
        # The next scripted measurement completes when the host polls for it.
        if self.ranging and self.samples and not self.regs[0x0031] & 0x01:
            status, mm = self.samples.pop(0)
            self.regs[0x0089] = status
            self.regs[0x0096:0x0098] = mm.to_bytes(2, "big")
            self.regs[0x0031] |= 0x01  # data ready (active-high interrupt)

    def write_register(self, address: int, register: int, data: bytes) -> None:
        assert address == 0x29
        if self.fail:
            raise OSError(121, "Remote I/O error")
        self.writes.append((register, bytes(data)))
        self.regs[register : register + len(data)] = data
        if register == 0x0087:
            self.ranging = data[0] == 0x40
        elif register == 0x0086 and data[0] == 0x01:
            self.regs[0x0031] &= 0xFE  # interrupt cleared: result consumed

    def read_register(self, address: int, register: int, length: int) -> bytes:
        assert address == 0x29
        if self.fail:
            raise OSError(121, "Remote I/O error")
        if register == 0x0031:
            self._load()
        return bytes(self.regs[register : register + length])

    def close(self) -> None:
        self.closed = True


def _open(samples: list[tuple[int, int]], **kw) -> tuple[Vl53l1xSensor, FakeVl53l1x, FakeClock]:
    bus, clock = FakeVl53l1x([(VALID, 500), *samples], **kw), FakeClock()  # 1st: warm-up
    settings = SensorSettings(kind="tof", sample_rate_hz=20)
    return Vl53l1xSensor(bus, settings, clock, clock.sleep), bus, clock


def test_init_writes_uld_configuration_and_starts_ranging() -> None:
    sensor, bus, _ = _open([])
    assert (0x002D, DEFAULT_CONFIG) in bus.writes
    assert len(DEFAULT_CONFIG) == 91 and DEFAULT_CONFIG[0x46 - 0x2D] == 0x20
    regs = dict(bus.writes)
    assert regs[0x0060] == b"\x07" and regs[0x0063] == b"\x05"  # short distance mode
    assert regs[0x005E] == b"\x00\x51" and regs[0x0061] == b"\x00\x6e"  # 20 ms budget
    assert int.from_bytes(regs[0x006C], "big") == int(500 * 50 * 1.075)  # 50 ms period
    assert bus.writes[-1] == (0x0087, b"\x40")  # continuous ranging on
    sensor.close()
    assert bus.writes[-1] == (0x0087, b"\x00") and bus.closed


def test_valid_range_in_cm_and_interrupt_cleared() -> None:
    sensor, bus, clock = _open([(VALID, 83), (VALID, 352)])
    first, second = sensor.read(), sensor.read()
    assert (first.distance_cm, second.distance_cm) == (8.3, 35.2)
    assert first.t == clock.t
    assert bus.writes[-1] == (0x0086, b"\x01")


def test_no_target_reads_as_max_distance_and_bad_status_as_none() -> None:
    sensor, _, _ = _open([(SIGNAL_FAIL, 0), (OUT_OF_BOUNDS, 0), (SIGMA_FAIL, 300)])
    got = [sensor.read().distance_cm for _ in range(3)]
    assert got == [200.0, 200.0, None]


def test_far_values_are_capped() -> None:
    sensor, _, _ = _open([(VALID, 3900)])
    assert sensor.read().distance_cm == 200.0


def test_io_error_is_a_none_reading_not_an_exception() -> None:
    sensor, bus, _ = _open([(VALID, 300), (VALID, 310)])
    bus.fail = True
    assert sensor.read().distance_cm is None
    bus.fail = False
    assert sensor.read().distance_cm == 30.0


def test_no_measurement_within_timeout_is_none() -> None:
    sensor, bus, clock = _open([])
    before = clock.t
    r = sensor.read()
    assert r.distance_cm is None and clock.t - before >= 0.25


def test_wrong_chip_fails_at_open() -> None:
    with pytest.raises(OSError, match="model id 0x1234"):
        _open([], model_id=0x1234)
