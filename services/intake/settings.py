"""intake's settings: the shared ones (dutyline.config) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from dutyline.config import ServiceSettings

# A fixed development key, so that `dutyline up` works out of the box; production sets its own.
DEV_CALLER_KEY = "dev1:ZHV0eWxpbmUtZGV2ZWxvcG1lbnQtb25seS1rZXkhISE="


class IntakeSettings(ServiceSettings):
    service: ClassVar[str] = "intake"
    migrations: ClassVar[str] = "services.intake.migrations"

    # Password of intake's PostgreSQL role dutyline_intake (a secret).
    intake_pg_password: SecretStr = SecretStr("")

    # "keyid:base64(32 bytes)" entries, comma separated; the first one encrypts, all decrypt.
    caller_keys: SecretStr = SecretStr(DEV_CALLER_KEY)

    # Matching emergency calls to the open incident about the same event (services/intake/matching.py
    # explains each): a call farther than match_distance_m beyond an incident's extent, or
    # match_window_minutes after its last call, is about something else; match_half_m beyond the
    # extent the place agrees half; the score weighs place, time and words; the best incident at or
    # above match_link_score gets the call, others at or above match_merge_score are proposed for merging.
    match_distance_m: float = 1000.0
    match_half_m: float = 300.0
    match_window_minutes: int = 360
    match_place_weight: float = 0.45
    match_time_weight: float = 0.2
    match_text_weight: float = 0.35
    match_link_score: float = 0.5
    match_merge_score: float = 0.5

    # How often the duty lines are checked: silent past their limit (down), calls not registered in time.
    line_sweep_seconds: float = 5.0

    def pg_password(self) -> SecretStr:
        return self.intake_pg_password

    def secrets(self) -> dict[str, str]:
        # The development key spells its purpose only once decoded: name it, so it is refused.
        keys = self.caller_keys.get_secret_value().replace(DEV_CALLER_KEY, "development-only")
        return {**super().secrets(), "caller_keys": keys}
