"""Who may do what in the roster. A duty leader (带班领导) of a site or an admin decides leave and
swaps and publishes; admins change the organization; everyone reads the sites they act for."""

from __future__ import annotations

from dutyline.grpckit.auth import Principal
from dutyline.grpckit.errors import PermissionDenied
from services.roster.store import SiteRow


def require_reader(principal: Principal, site: SiteRow) -> None:
    principal.require_site(site.id, site.ancestor_ids)


def require_admin(principal: Principal, site: SiteRow) -> None:
    require_reader(principal, site)
    if not principal.has_role("admin", "system"):
        raise PermissionDenied(f"only an admin may change the organization or roster rules of {site.id}")


def require_leader(principal: Principal, site: SiteRow, *, what: str) -> None:
    require_reader(principal, site)
    if not principal.has_role("leader", "admin", "system"):
        raise PermissionDenied(f"only the duty leader or an admin may {what} at {site.id}")


def require_person(principal: Principal, person_id: str, *, what: str) -> None:
    """The person concerned, or an admin acting for them."""
    if principal.person_id != person_id and not principal.has_role("admin", "system"):
        raise PermissionDenied(f"only {person_id} (or an admin) may {what}")
