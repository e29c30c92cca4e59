"""Email through Django's mail (SMTP settings from the environment). The idempotency key is
the Message-ID, which mail clients de-duplicate by."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from alerts.channels.base import Message, TransportError


def recipients(target: str) -> list[str]:
    return [a.strip() for a in target.replace(";", ",").split(",") if a.strip()]


def send(message: Message) -> str:
    to = recipients(message.channel.target)
    if not to:
        raise TransportError("the channel names no address", permanent=True)
    email = EmailMessage(
        subject=message.title,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"Message-ID": f"<{message.key}@sesops>", "X-Sesops-Delivery": message.key},
    )
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise TransportError(f"refused: {exc}", permanent=True) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise TransportError(f"SMTP login refused: {exc}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 4xx: try later (greylisting, mailbox busy); 5xx: it will not change.
        permanent = exc.smtp_code >= 500
        raise TransportError(f"SMTP {exc.smtp_code}: {exc}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransportError(f"cannot reach the mail server: {exc}", permanent=False) from exc
    return f"mailed {len(to)} recipient(s)"
