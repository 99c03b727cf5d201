"""E-mail over an SMTP relay that requires STARTTLS and a login, with a private certificate
authority, as a DSO's own mail relay may be. Everything runs on 127.0.0.1."""

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.notifications.channels import NotificationSettings, PermanentDeliveryError, send_smtp
from tests.notifications.receivers import free_port

USERNAME = "grafik"
PASSWORD = "relay-password-for-tests"


class _Mailbox:
    def __init__(self) -> None:
        self.sessions: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.sessions.append(
                {"encrypted": session.ssl is not None, "login": bool(session.authenticated)}
            )
        return "250 Message accepted"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    accepted = (
        isinstance(data, LoginPassword)
        and data.login == USERNAME.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=accepted, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed, so no test certificate can be made")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def relay(certificate: tuple[Path, Path]) -> Iterator[tuple[_Mailbox, int]]:
    """An SMTP relay that requires STARTTLS before anything and a login before sending."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = _Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
        auth_required=True,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "grafik@dso.example"
    message["To"] = "abonent@example.com"
    message["Subject"] = "Графік змінився"
    message.set_content("Черга 36.1: зміни на 29.01.")
    return message


def _config(port: int, **fields: Any) -> NotificationSettings:
    return NotificationSettings(smtp_host="127.0.0.1", smtp_port=port, **fields)


def test_starttls_with_login_delivers(
    relay: tuple[_Mailbox, int], certificate: tuple[Path, Path]
) -> None:
    mailbox, port = relay
    config = _config(
        port,
        smtp_starttls=True,
        smtp_ca_file=str(certificate[0]),
        smtp_username=USERNAME,
        smtp_password=PASSWORD,
    )

    assert send_smtp(_message(), config) == "SMTP 250"
    assert mailbox.sessions == [{"encrypted": True, "login": True}]


def test_plain_connection_rejected_by_relay(relay: tuple[_Mailbox, int]) -> None:
    mailbox, port = relay

    with pytest.raises(PermanentDeliveryError, match="code 530"):
        send_smtp(_message(), _config(port))
    assert mailbox.sessions == []


def test_untrusted_certificate_is_permanent(relay: tuple[_Mailbox, int]) -> None:
    """Without the private CA the self-signed certificate fails verification; nothing is sent."""
    mailbox, port = relay
    config = _config(port, smtp_starttls=True, smtp_username=USERNAME, smtp_password=PASSWORD)

    with pytest.raises(PermanentDeliveryError, match="certificate failed verification"):
        send_smtp(_message(), config)
    assert mailbox.sessions == []


def test_login_without_starttls_rejected() -> None:
    config = _config(free_port(), smtp_username=USERNAME, smtp_password=PASSWORD)

    with pytest.raises(PermanentDeliveryError, match="DSO_SMTP_STARTTLS=true"):
        send_smtp(_message(), config)


def test_wrong_password_is_permanent(
    relay: tuple[_Mailbox, int], certificate: tuple[Path, Path]
) -> None:
    mailbox, port = relay
    config = _config(
        port,
        smtp_starttls=True,
        smtp_ca_file=str(certificate[0]),
        smtp_username=USERNAME,
        smtp_password="wrong",
    )

    with pytest.raises(PermanentDeliveryError, match="rejected the login of 'grafik'"):
        send_smtp(_message(), config)
    assert mailbox.sessions == []


def test_smtp_settings_read_from_environment() -> None:
    config = NotificationSettings.from_env(
        {
            "DSO_SMTP_HOST": "relay.dso.example",
            "DSO_SMTP_STARTTLS": "true",
            "DSO_SMTP_CA_FILE": "/etc/dso/relay-ca.pem",
            "DSO_SMTP_USERNAME": USERNAME,
            "DSO_SMTP_PASSWORD": PASSWORD,
        }
    )

    assert config.smtp_starttls is True
    assert config.smtp_ca_file == "/etc/dso/relay-ca.pem"
    assert config.smtp_username == USERNAME
    assert config.smtp_password == PASSWORD
