"""Request ids that sort by time: UUID version 7 (RFC 9562), the request log's primary key.

A random (version 4) key lands on a random leaf of the primary-key index, so every log row dirties a
page that no other row touched, and every SQLite checkpoint copies hundreds of such pages (measured on
SQLite; PostgreSQL's index scatters the same way, not measured there). A version-7 id starts with the
Unix time in milliseconds, so a new row appends to the index's last page, as in the log's other indexes.

After the 48-bit timestamp come 74 random bits from ``os.urandom`` (the source ``uuid4`` uses): ids
stay unique across workers and unguessable, and they reveal only when the request arrived, which the
log shows anyway. Python 3.14 has ``uuid.uuid7()``; this is the same layout for Python 3.11. The PyPI
``uuid6`` package was not taken: its ``uuid7`` adds a millisecond to the timestamp on each call within
the same millisecond, so under more than a thousand requests a second the ids run ahead of the clock.
"""

from __future__ import annotations

import os
import time
import uuid

_TIMESTAMP_MASK = (1 << 48) - 1
_VERSION_AND_VARIANT_MASK = ~((0xF << 76) | (0b11 << 62))
_VERSION_7_AND_RFC_VARIANT = (7 << 76) | (0b10 << 62)


def uuid7() -> uuid.UUID:
    """A new version-7 UUID: Unix milliseconds, version, 12 random bits, variant, 62 random bits."""
    milliseconds = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = (milliseconds & _TIMESTAMP_MASK) << 80 | random_bits  # 10 random bytes: the low 80 bits
    return uuid.UUID(int=value & _VERSION_AND_VARIANT_MASK | _VERSION_7_AND_RFC_VARIANT)
