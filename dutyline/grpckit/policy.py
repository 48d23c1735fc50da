"""Deny-by-default authorization: every RPC of a service declares who may call it.

A service lists one ``Policy`` per full method name (services/<name>/policy.py). The server
interceptor refuses a caller whose roles the method's policy does not name, before the handler runs;
a method without a policy is refused to everyone, and ``require_complete`` keeps such a service from
starting at all. ``scope`` and ``checks`` name where the site comes from and which referenced or
overwritten resources are resolved server-side and checked against the caller's sites: the handler
does those checks (they need the service's store), the authorization matrix tests hold it to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from google.protobuf import descriptor_pool

from dutyline.grpckit.auth import ROLES, Principal
from dutyline.grpckit.errors import PermissionDenied

# The roles of people who work in dutyline, for policies that admit every one of them but agencies.
STAFF = frozenset({"officer", "leader", "unit_head", "admin", "supervisor"})
# Everyone with a token: staff, agencies (read-only: reads only) and the platform's services.
ANYONE = STAFF | {"agency", "system"}


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    # Where the site the call acts on comes from: a request field, or a resource resolved server-side
    # (e.g. "incident_id → its site").
    scope: str
    # Every other resource the call references or overwrites whose site is checked too.
    checks: tuple[str, ...] = ()
    # Callers without a token are admitted too; the handler decides (a one-time token, say).
    token_optional: bool = False
    mutating: bool = False
    # False: the answer is the same for every site (the organization's shape, platform-wide rules)
    # or filtered to the caller's sites rather than refused.
    site_scoped: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles in a policy: {sorted(unknown)}")
        if self.mutating and "agency" in self.roles:
            raise ValueError("the agency role only reads: a mutating RPC may not admit it")


def reads(roles: Iterable[str], scope: str, *checks: str) -> Policy:
    return Policy(frozenset(roles), scope, tuple(checks))


def unscoped(policy: Policy) -> Policy:
    return replace(policy, site_scoped=False)


def writes(roles: Iterable[str], scope: str, *checks: str) -> Policy:
    return Policy(frozenset(roles), scope, tuple(checks), mutating=True)


class MissingPolicy(RuntimeError):
    """A service whose RPCs are not all declared: it must not serve (deny by default)."""


def require_complete(service: str, policies: Mapping[str, Policy]) -> None:
    """Raises unless every method of the gRPC service ``service`` (full name) has a policy."""
    methods = descriptor_pool.Default().FindServiceByName(service).methods
    missing = sorted(f"/{service}/{m.name}" for m in methods if f"/{service}/{m.name}" not in policies)
    if missing:
        raise MissingPolicy(f"no authorization policy for {', '.join(missing)}; refusing to start")


def authorize(policies: Mapping[str, Policy], method: str, principal: Principal | None) -> None:
    """Refuses the call unless ``method`` has a policy that admits the caller's roles; on a person's
    behalf, the policy must admit both the person's roles and the role system."""
    policy = policies.get(method)
    if policy is None:
        raise PermissionDenied(f"{method} declares no authorization policy / 该接口未声明授权策略")
    if principal is None:
        if policy.token_optional:
            return
        raise PermissionDenied(f"{method} needs a caller identity / 需要调用者身份")
    if principal.via and "system" not in policy.roles:
        # On a person's behalf a component does only what its own identity may: never more than
        # either of them.
        raise PermissionDenied(f"{method} is not open to services acting for a person / 服务不可代为调用该接口")
    if not policy.roles.intersection(principal.roles):
        raise PermissionDenied(
            f"{method} is not open to roles {', '.join(principal.roles) or '(none)'} / 当前角色无权调用该接口"
        )


def for_service(service: str, policies: Mapping[str, Policy]) -> dict[str, Policy]:
    """``policies`` by RPC name, keyed by full method name (``/package.Service/Method``)."""
    return {f"/{service}/{name}": policy for name, policy in policies.items()}
