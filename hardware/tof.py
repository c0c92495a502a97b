"""VL53L1X time-of-flight sensor over I2C (independent of clothing, up to 50 readings/s).

Written against a tiny register bus (``RegisterBus``) so it is tested at the register level
with a fake; ``Smbus2Bus`` is the real one (``pip install smbus2``, imported only when used).
The register sequence follows ST's VL53L1X ultra-lite driver (ULD): the default configuration
block, one warm-up measurement, short distance mode, 20 ms timing budget, continuous ranging.

Any I/O error while ranging becomes ``Reading(t, None)``; rep detection turns a run of those
into a sensor fault. "No target in range" reads as max_distance_cm, like an empty room.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Protocol

from hardware.readings import Reading
from hardware.sensor import Clock, SensorConfigError, SensorSettings

MODEL_ID = 0xEACC
REG_VHV_LOOP_BOUND = 0x0008
REG_VHV_START = 0x000B
REG_CONFIG_START = 0x002D
REG_GPIO_HV_MUX_CTRL = 0x0030
REG_GPIO_TIO_HV_STATUS = 0x0031
REG_PHASECAL_TIMEOUT = 0x004B
REG_TIMEOUT_A_HI = 0x005E
REG_VCSEL_PERIOD_A = 0x0060
REG_TIMEOUT_B_HI = 0x0061
REG_VCSEL_PERIOD_B = 0x0063
REG_VALID_PHASE_HIGH = 0x0069
REG_INTERMEASUREMENT = 0x006C
REG_WOI_SD0 = 0x0078
REG_INITIAL_PHASE_SD0 = 0x007A
REG_INTERRUPT_CLEAR = 0x0086
REG_MODE_START = 0x0087
REG_RANGE_STATUS = 0x0089
REG_RANGE_MM = 0x0096
REG_OSC_CALIBRATE = 0x00DE
REG_FIRMWARE_STATUS = 0x00E5
REG_MODEL_ID = 0x010F

# ST ULD VL51L1X_DEFAULT_CONFIGURATION: registers 0x2D..0x87, 16 per row.
DEFAULT_CONFIG = bytes.fromhex(
    "00000001020002080008100101000000"  # 0x2D
    "00ff000f0000000000200b0000020a21"  # 0x3D
    "00000500000000c8000038ff01000800"  # 0x4D
    "0001cc0f01f10d0168008008b8000000"  # 0x5D
    "000f8900000000000000010f0d0e0e00"  # 0x6D
    "0002c7ff9b000000010000"  # 0x7D..0x87
)
assert len(DEFAULT_CONFIG) == 0x87 - 0x2D + 1

# ULD range-status translation: raw RESULT__RANGE_STATUS & 0x1F -> 0 valid, 2 signal fail,
# 4 out of bounds, others (sigma fail, wrap-around, ...) unusable.
_STATUS = (
    255,
    255,
    255,
    5,
    2,
    4,
    1,
    7,
    3,
    0,
    255,
    255,
    9,
    13,
    255,
    255,
    255,
    255,
    10,
    6,
    255,
    255,
    11,
    12,
)
NO_TARGET = (2, 4)


class RegisterBus(Protocol):
    """The smallest I2C surface the driver needs: 16-bit register reads and writes."""

    def write_register(self, address: int, register: int, data: bytes) -> None: ...

    def read_register(self, address: int, register: int, length: int) -> bytes: ...

    def close(self) -> None: ...


class Smbus2Bus:
    """RegisterBus on a Linux I2C bus through smbus2 (an optional extra)."""

    def __init__(self, bus: int) -> None:
        try:
            import smbus2
        except ImportError as exc:
            raise SensorConfigError(
                "sensor kind 'tof' needs the optional smbus2 package: pip install smbus2"
            ) from exc
        self._msg = smbus2.i2c_msg
        self._bus = smbus2.SMBus(bus)

    def write_register(self, address: int, register: int, data: bytes) -> None:
        self._bus.i2c_rdwr(self._msg.write(address, [register >> 8, register & 0xFF, *data]))

    def read_register(self, address: int, register: int, length: int) -> bytes:
        w = self._msg.write(address, [register >> 8, register & 0xFF])
        r = self._msg.read(address, length)
        self._bus.i2c_rdwr(w, r)
        return bytes(r)

    def close(self) -> None:
        self._bus.close()


class Vl53l1xSensor:
    """WallSensor for a VL53L1X; read() waits for the next measurement (about 25 ms)."""

    binary = False

    def __init__(
        self,
        bus: RegisterBus,
        settings: SensorSettings,
        clock: Clock,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._bus, self._s, self._clock, self._sleep = bus, settings, clock, sleep
        self._addr = settings.i2c_address
        self._init_chip()

    # -- register helpers ------------------------------------------------------------------
    def _wr(self, reg: int, data: bytes) -> None:
        self._bus.write_register(self._addr, reg, data)

    def _rd8(self, reg: int) -> int:
        return self._bus.read_register(self._addr, reg, 1)[0]

    def _rd16(self, reg: int) -> int:
        return int.from_bytes(self._bus.read_register(self._addr, reg, 2), "big")

    def _data_ready(self) -> bool:
        polarity = 0 if self._rd8(REG_GPIO_HV_MUX_CTRL) & 0x10 else 1
        return (self._rd8(REG_GPIO_TIO_HV_STATUS) & 0x01) == polarity

    def _wait_ready(self, timeout_s: float) -> bool:
        deadline = self._clock() + timeout_s
        while not self._data_ready():
            if self._clock() >= deadline:
                return False
            self._sleep(0.002)
        return True

    # -- setup (errors here raise: the sensor is missing or miswired) ------------------------
    def _init_chip(self) -> None:
        model = self._rd16(REG_MODEL_ID)
        if model != MODEL_ID:
            raise OSError(
                f"no VL53L1X at I2C address {self._addr:#04x} on bus {self._s.i2c_bus} "
                f"(model id {model:#06x}, expected {MODEL_ID:#06x})"
            )
        deadline = self._clock() + 1.0
        while not self._rd8(REG_FIRMWARE_STATUS) & 0x01:  # booted?
            if self._clock() >= deadline:
                raise OSError("VL53L1X did not finish booting within 1 s")
            self._sleep(0.002)
        self._wr(REG_CONFIG_START, DEFAULT_CONFIG)
        # One warm-up measurement, as the ULD's SensorInit does, then VHV settings.
        self._wr(REG_MODE_START, b"\x40")
        if not self._wait_ready(1.0):
            raise OSError("VL53L1X gave no first measurement within 1 s")
        self._wr(REG_INTERRUPT_CLEAR, b"\x01")
        self._wr(REG_MODE_START, b"\x00")
        self._wr(REG_VHV_LOOP_BOUND, b"\x09")
        self._wr(REG_VHV_START, b"\x00")
        # Short distance mode (up to 1.3 m, best in ambient light): ULD SetDistanceMode(1).
        self._wr(REG_PHASECAL_TIMEOUT, b"\x14")
        self._wr(REG_VCSEL_PERIOD_A, b"\x07")
        self._wr(REG_VCSEL_PERIOD_B, b"\x05")
        self._wr(REG_VALID_PHASE_HIGH, b"\x38")
        self._wr(REG_WOI_SD0, b"\x07\x05")
        self._wr(REG_INITIAL_PHASE_SD0, b"\x06\x06")
        # 20 ms timing budget in short mode: ULD SetTimingBudgetInMs(20).
        self._wr(REG_TIMEOUT_A_HI, b"\x00\x51")
        self._wr(REG_TIMEOUT_B_HI, b"\x00\x6e")
        period_ms = max(25, round(1000.0 / self._s.sample_rate_hz))
        pll = self._rd16(REG_OSC_CALIBRATE) & 0x3FF
        self._wr(REG_INTERMEASUREMENT, int(pll * period_ms * 1.075).to_bytes(4, "big"))
        self._wr(REG_MODE_START, b"\x40")

    # -- ranging (never raises) ------------------------------------------------------------
    def read(self) -> Reading:
        """Next measurement in cm; max_distance_cm for no target; None on errors."""
        try:
            if not self._wait_ready(self._s.read_timeout_s):
                return Reading(self._clock(), None)
            raw = self._rd8(REG_RANGE_STATUS) & 0x1F
            status = _STATUS[raw] if raw < len(_STATUS) else 255
            mm = self._rd16(REG_RANGE_MM)
            self._wr(REG_INTERRUPT_CLEAR, b"\x01")
        except OSError:
            return Reading(self._clock(), None)
        t = self._clock()
        if status in NO_TARGET:
            return Reading(t, self._s.max_distance_cm)
        if status != 0:
            return Reading(t, None)
        return Reading(t, min(self._s.max_distance_cm, mm / 10.0))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._wr(REG_MODE_START, b"\x00")
        self._bus.close()


def open_tof(settings: SensorSettings, clock: Clock) -> Vl53l1xSensor:
    """Open the configured time-of-flight sensor on its Linux I2C bus."""
    bus = Smbus2Bus(settings.i2c_bus)
    try:
        return Vl53l1xSensor(bus, settings, clock)
    except BaseException:
        bus.close()
        raise
