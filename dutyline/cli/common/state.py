"""What `dutyline up` leaves for other commands: the addresses and a ready-to-use token."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path(os.environ.get("DUTYLINE_STATE_DIR", "state"))


@dataclass(frozen=True)
class PlatformInfo:
    addresses: dict[str, str]
    nats_url: str
    temporal_address: str
    temporal_ui_url: str
    token: str
    # The services' NATS creds file (the server runs in operator mode); empty: connect without.
    nats_creds: str = ""
    # The duty console's URL (services/console); empty: not running.
    console_url: str = ""

    def write(self, state_dir: Path) -> None:
        path = state_dir / "platform.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)

    @classmethod
    def read(cls, state_dir: Path) -> PlatformInfo | None:
        path = state_dir / "platform.json"
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))
