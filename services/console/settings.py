"""The console's settings: the shared ones (dutyline.config: the services' addresses, TLS, the token
keys, the OpenID Connect provider) and its own, from DUTYLINE_* variables."""

from __future__ import annotations

from pydantic import SecretStr

from dutyline.config import Settings


class ConsoleSettings(Settings):
    # Where the console listens (host:port); its public URL is what people open (links printed by the
    # dev stack and the demo, the OpenID Connect redirect). Empty: http://<console_address>.
    console_address: str = "127.0.0.1:8080"
    console_public_url: str = ""
    # A signed-in session lasts as long as the person's token, and at most this long (a shift).
    console_session_hours: float = 12.0
    # Production sign-in: the console is an OpenID Connect client of the provider named by
    # oidc_issuer (its discovery document at <issuer>/.well-known/openid-configuration). The ID token
    # it receives is what the console sends to the services, so the provider must put oidc_audience
    # in its audience: the client id defaults to it.
    console_oidc_client_id: str = ""
    console_oidc_client_secret: SecretStr = SecretStr("")
    console_oidc_scopes: str = "openid profile"

    @property
    def public_url(self) -> str:
        return (self.console_public_url or f"http://{self.console_address}").rstrip("/")

    @property
    def oidc_client_id(self) -> str:
        return self.console_oidc_client_id or self.oidc_audience

    @property
    def dev_sign_in(self) -> bool:
        """Picking a demo person signs in only in development; production signs in through OIDC."""
        return self.env == "development" and not self.oidc_issuer

    def secrets(self) -> dict[str, str]:
        """Only the keys the console itself uses. Never the services' credential key nor the idempotency
        key: a console holding the first could act as a service (a super-user), and it makes no call
        but with the signed-in person's own token."""
        if self.oidc_issuer:
            return {"console_oidc_client_secret": self.console_oidc_client_secret.get_secret_value()}
        # Without a provider people sign in in development only, as demo people whose tokens the console
        # mints with dutyline's dev issuer; elsewhere it refuses to start (insecure_secrets).
        return {"token_secret": self.token_secret.get_secret_value()} if self.dev_sign_in else {}

    def insecure_secrets(self) -> list[str]:
        bad = super().insecure_secrets()
        # Outside development people sign in through OpenID Connect only: without a provider, nobody could.
        if self.env != "development" and not self.oidc_issuer:
            bad.append("DUTYLINE_OIDC_ISSUER")
        return bad
