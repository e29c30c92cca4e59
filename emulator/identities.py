"""Identity operations shared by the v1 and v2 protocol layers."""

from __future__ import annotations

import re
import secrets
from typing import Any

from emulator.errors import SesError, bad_request, not_found
from emulator.lifecycle import Evaluator, deed_origin, deed_parent, public_key_from_private
from emulator.senders import governing_identity
from emulator.state import Identity, Lifecycle, Region, State, random_token

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_SELECTOR = re.compile(r"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))$")
ORIGINS_FIXED = ("AWS_SES", "EXTERNAL")
MAX_IDENTITIES = 10000


def valid_domain(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(_LABEL.match(lbl) for lbl in labels)


def normalize(name: str) -> str:
    """Identity key as SES compares it: domains are case-insensitive, local parts are not."""
    name = (name or "").strip()
    if "@" in name:
        local, _, domain = name.rpartition("@")
        return f"{local}@{domain.lower().rstrip('.')}"
    return name.lower().rstrip(".")


def check_identity_name(raw: str) -> tuple[str, str]:
    """(normalized name, kind) or BadRequestException, as SES answers for a bad identity."""
    name = normalize(raw)
    if "@" in name:
        local, _, domain = name.rpartition("@")
        if (
            _LOCAL.match(local)
            and not local.startswith(".")
            and ".." not in local
            and valid_domain(domain)
        ):
            return name, "EMAIL_ADDRESS"
        raise bad_request(f"Invalid email address <{raw}>.")
    if valid_domain(name):
        return name, "DOMAIN"
    raise bad_request(f"Invalid domain name <{raw}>.")


def check_address(raw: str) -> str:
    """An email address from a SendEmail field ("Name <a@b>" allowed)."""
    from email.utils import parseaddr

    _, addr = parseaddr(raw or "")
    if not addr or "@" not in addr:
        raise bad_request(f"Illegal address: {raw!r}")
    name, kind = check_identity_name(addr)
    if kind != "EMAIL_ADDRESS":
        raise bad_request(f"Illegal address: {raw!r}")
    return name


class Identities:
    def __init__(self, state: State, evaluator: Evaluator) -> None:
        self.state = state
        self.ev = evaluator

    def get(self, reg: Region, raw: str) -> Identity:
        ident = reg.identities.get(normalize(raw))
        if ident is None:
            raise not_found(f"Email identity <{raw}> does not exist.")
        return self.ev.evaluate(reg, ident)

    def create(
        self, reg: Region, raw: str, dkim: dict[str, Any] | None = None, **extra: Any
    ) -> Identity:
        name, kind = check_identity_name(raw)
        if name in reg.identities:
            raise SesError("AlreadyExistsException", f"Email identity <{raw}> already exists.")
        if len(reg.identities) >= MAX_IDENTITIES:
            raise SesError("LimitExceededException", "Maximum number of identities exceeded.")
        now = self.state.now()
        ident = Identity(
            name=name,
            kind=kind,
            created_at=now,
            verification=Lifecycle(window_start=now),
            dkim=Lifecycle(
                status="NOT_STARTED" if kind == "EMAIL_ADDRESS" else "PENDING", window_start=now
            ),
            verification_token=secrets.token_urlsafe(33)[:44],
            key_generated_at=now,
            tags=list(extra.get("tags") or []),
            configuration_set=extra.get("configuration_set"),
        )
        if kind == "DOMAIN":
            self.apply_dkim(
                reg,
                ident,
                (dkim or {}).get("DomainSigningAttributesOrigin") or _origin_of(dkim),
                dkim,
            )
        elif dkim:
            raise bad_request("DKIM signing attributes can only be given for a domain identity.")
        else:
            ident.signing_enabled = False  # an address signs only once DKIM is enabled for it
        reg.add_identity(ident)
        if kind == "EMAIL_ADDRESS":
            self.send_verification(reg, ident)
        return self.ev.evaluate(reg, ident)

    def apply_dkim(
        self, reg: Region, ident: Identity, origin: str, attrs: dict[str, Any] | None
    ) -> None:
        """Set Easy DKIM, BYODKIM or a DEED replica; restarts the DKIM search window."""
        attrs = attrs or {}
        now = self.state.now()
        if origin not in ORIGINS_FIXED and deed_parent(origin) is None:
            raise bad_request(f"Invalid SigningAttributesOrigin: {origin}.")
        if origin == "EXTERNAL":
            selector, key = attrs.get("DomainSigningSelector"), attrs.get("DomainSigningPrivateKey")
            if not selector or not key:
                raise bad_request(
                    "DomainSigningSelector and DomainSigningPrivateKey are required for EXTERNAL."
                )
            if not isinstance(selector, str) or not _SELECTOR.match(selector) or len(selector) > 63:
                raise bad_request(f"Invalid DomainSigningSelector: {selector}.")
            ident.public_key = public_key_from_private(str(key))
            ident.selector, ident.tokens = selector, [selector]
        elif origin == "AWS_SES":
            length = attrs.get("NextSigningKeyLength") or ident.key_length
            if length not in ("RSA_1024_BIT", "RSA_2048_BIT"):
                raise bad_request(f"Invalid NextSigningKeyLength: {length}.")
            if ident.dkim_origin != "AWS_SES" or not ident.tokens:
                ident.tokens = [random_token() for _ in range(3)]
                ident.key_generated_at = now
            ident.key_length, ident.selector, ident.public_key = length, None, None
        else:
            ident.tokens, ident.selector, ident.public_key = [], None, None
        changed = origin != ident.dkim_origin or origin == "EXTERNAL" or not ident.dkim.last_checked
        ident.dkim_origin = origin
        ident.signing_enabled = True
        # SES stops looking after a FAILED: setting the signing attributes again restarts it.
        if changed or ident.dkim.status == "FAILED":
            ident.dkim.restart(now)
        if ident.verification.status == "FAILED":
            ident.verification.restart(now)

    def set_signing(self, reg: Region, ident: Identity, enabled: bool) -> None:
        """PutEmailIdentityDkimAttributes / v1 SetIdentityDkimEnabled. An address can sign
        only when a domain identity covering it has DKIM set up (SES v1 reference)."""
        if ident.kind == "EMAIL_ADDRESS" and enabled:
            domain = governing_identity(reg, ident.domain)
            if domain is None or self.ev.evaluate(reg, domain).dkim.status != "SUCCESS":
                raise bad_request(
                    f"DKIM signing cannot be enabled for <{ident.name}>: its domain is not "
                    "set up for Easy DKIM."
                )
        ident.signing_enabled = enabled

    def tokens(self, reg: Region, ident: Identity) -> list[str]:
        """The tokens to publish: a DEED replica shows its primary's."""
        parent = deed_parent(ident.dkim_origin)
        if parent is None:
            return list(ident.tokens)
        primary = self.state.region(reg.account_id, parent).identities.get(ident.name)
        return (
            list(primary.tokens) if primary is not None and primary.dkim_origin == "AWS_SES" else []
        )

    def hosted_zone(self, reg: Region, ident: Identity) -> str:
        parent = deed_parent(ident.dkim_origin)
        return self.state.hosted_zone(self.state.region(reg.account_id, parent) if parent else reg)

    def delete(self, reg: Region, raw: str) -> None:
        name = normalize(raw)
        if name not in reg.identities:
            raise not_found(f"Email identity <{raw}> does not exist.")
        self.refuse_parent_delete(reg, name)
        reg.remove_identity(name)

    def replicas_of(self, reg: Region, name: str) -> list[str]:
        """Regions (same account) holding a DEED replica of this region's `name`."""
        origin = deed_origin(reg.name)
        acct = self.state.account(reg.account_id)
        return sorted(
            other.name
            for other in acct.regions.values()
            if (ident := other.identities.get(name)) is not None and ident.dkim_origin == origin
        )

    def refuse_parent_delete(self, reg: Region, name: str) -> None:
        replicas = self.replicas_of(reg, name)
        if replicas:
            raise bad_request(
                f"Email identity <{name}> is the parent of DEED replicas in "
                f"{', '.join(replicas)}: delete the replicas first."
            )

    def check_deed_parent(self, reg: Region, name: str, origin: str) -> None:
        """Refuse a replica whose parent SES would refuse: the parent must exist in another
        region, be verified, use Easy DKIM (not BYODKIM) and not be a replica itself. The
        reason is SES's own REPLICATION_* code (VerificationInfo.ErrorType in the model)."""
        parent_region = deed_parent(origin)
        if parent_region is None:
            return
        if parent_region == reg.name:
            raise bad_request(
                "REPLICATION_PRIMARY_INVALID_REGION: the parent region must differ from "
                f"the replica region ({reg.name})."
            )
        preg = self.state.region(reg.account_id, parent_region)
        parent = preg.identities.get(normalize(name))
        where = f"<{name}> in {parent_region}"
        if parent is None:
            raise not_found(f"REPLICATION_PRIMARY_NOT_FOUND: no parent identity {where}.")
        if parent.dkim_origin == "EXTERNAL":
            raise bad_request(
                f"REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED: the parent identity {where} "
                "uses BYODKIM; only an Easy DKIM identity can be a parent."
            )
        if deed_parent(parent.dkim_origin):
            raise bad_request(
                f"REPLICATION_REPLICA_AS_PRIMARY_NOT_SUPPORTED: the parent identity {where} "
                "is itself a replica."
            )
        if not self.ev.verified(preg, parent):
            raise bad_request(f"The parent identity {where} is not verified.")

    def set_mail_from(
        self, reg: Region, ident: Identity, domain: str | None, behavior: str | None
    ) -> None:
        if behavior is not None and behavior not in ("USE_DEFAULT_VALUE", "REJECT_MESSAGE"):
            raise bad_request(f"Invalid BehaviorOnMxFailure: {behavior}.")
        if domain:
            domain = domain.strip().lower().rstrip(".")
            if not valid_domain(domain) or not domain.endswith("." + ident.domain):
                raise bad_request(
                    f"Invalid MAIL FROM domain <{domain}>: "
                    f"it must be a subdomain of <{ident.domain}>."
                )
            if domain != ident.mail_from_domain:
                ident.mail_from = Lifecycle(window_start=self.state.now())
            ident.mail_from_domain = domain
        else:
            ident.mail_from_domain = None
        if behavior is not None:
            ident.behavior_on_mx_failure = behavior

    def send_verification(self, reg: Region, ident: Identity) -> dict[str, Any]:
        """Record the verification email SES sends, with a link that verifies the address."""
        st = self.state
        now = st.now()
        token = secrets.token_urlsafe(24)
        link = f"{st.base_url}/_emulator/verify/{token}"
        mail = {
            "kind": "verification",
            "account": reg.account_id,
            "region": reg.name,
            "from": "no-reply-aws@amazon.com",
            "to": [ident.name],
            "subject": "Amazon Web Services - Email Address Verification Request"
            f" in region {reg.name}",
            "body": f"To confirm that you want to send email from {ident.name}, click: {link}",
            "link": link,
            "token": token,
            "sent_at": now,
            "expires_at": now + st.settings.link_expiry_seconds,
        }
        with st.lock:
            st.mail.append(mail)
            st.links[token] = {
                "account": reg.account_id,
                "region": reg.name,
                "identity": ident.name,
                **mail,
            }
            if ident.verification.status != "SUCCESS":
                ident.verification.restart(now)
        return mail

    def click(self, token: str) -> tuple[int, str]:
        """A user clicked a verification link: (HTTP status, message)."""
        st = self.state
        with st.lock:
            link = st.links.get(token)
            if link is None:
                return 404, "This verification link is not valid."
            reg = st.region(link["account"], link["region"])
            ident = reg.identities.get(link["identity"])
            if ident is None:
                return 404, "The identity for this link no longer exists."
            if st.now() > link["expires_at"]:
                self.ev.evaluate(reg, ident)
                return 410, "This verification link has expired."
            ident.verification.status, ident.verification.pinned = "SUCCESS", False
            ident.verification.last_success = st.now()
            return 200, f"You have successfully verified {ident.name} in region {reg.name}."


def _origin_of(dkim: dict[str, Any] | None) -> str:
    """CreateEmailIdentity: a selector and key without an origin mean BYODKIM."""
    if dkim and dkim.get("DomainSigningPrivateKey"):
        return "EXTERNAL"
    return "AWS_SES"
