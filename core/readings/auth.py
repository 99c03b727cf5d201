"""Customer sign-in: a one-time code sent by SMS to a Ukrainian phone, exchanged for a JWT.

Codes live 5 minutes and only their keyed hash is stored. A phone gets at most 3 codes and a
client address at most 10 in any 10 minutes. After 5 wrong codes the phone is locked for 15
minutes. Tokens are HS256 JWTs signed with `DSO_AUTH_SECRET` and live one hour.
"""

import datetime as dt
import functools
import hashlib
import hmac
import os
import secrets
from typing import Any

import jwt
import phonenumbers
import structlog
from litestar import Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import (
    CustomerNotAuthenticatedError,
    InvalidPhoneError,
    InvalidSignInCodeError,
    PhoneLockedError,
    TooManyCodesError,
)
from core.readings.models import SignInCode, SignInLock
from core.readings.schemas import TokenOut
from core.readings.sms import write_dev_sms
from core.timezone import now_utc, to_local

log = structlog.get_logger(__name__)

CODE_LIFETIME = dt.timedelta(minutes=5)
RATE_WINDOW = dt.timedelta(minutes=10)
CODES_PER_PHONE = 3
CODES_PER_CLIENT = 10
MAX_WRONG_CODES = 5
LOCK_TIME = dt.timedelta(minutes=15)
TOKEN_LIFETIME = dt.timedelta(hours=1)
TOKEN_AUDIENCE = "dso-customer"
SECRET_VARIABLE = "DSO_AUTH_SECRET"


@functools.cache
def auth_secret() -> bytes:
    """Return the signing secret from `DSO_AUTH_SECRET`, or a random one for this process.

    NOTE: a random secret is per process, so with several workers a code or token issued by
    one worker is rejected by the others. Set the variable outside development.
    """
    value = os.environ.get(SECRET_VARIABLE, "")
    if value:
        return value.encode()
    log.warning("auth.development_secret", variable=SECRET_VARIABLE)
    return secrets.token_bytes(32)


def normalize_phone(raw: str) -> str:
    """Return a Ukrainian phone number in E.164 form (+380XXXXXXXXX); raise `InvalidPhoneError`."""
    try:
        number = phonenumbers.parse(raw, "UA")
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneError(field="phone", value=raw[:40]) from error
    if number.country_code != 380 or not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError(field="phone", value=raw[:40])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _keyed_hash(*parts: str) -> str:
    return hmac.new(auth_secret(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


async def request_code(session: AsyncSession, raw_phone: str, client: str) -> dt.datetime:
    """Send a new sign-in code to the phone; return when it expires."""
    phone = normalize_phone(raw_phone)
    now = now_utc()
    client_hash = _keyed_hash("client", client)
    async with session.begin():
        await _check_lock(session, phone, now)
        await _check_rate(session, SignInCode.phone == phone, CODES_PER_PHONE, now)
        await _check_rate(session, SignInCode.client_hash == client_hash, CODES_PER_CLIENT, now)

        code = f"{secrets.randbelow(10**6):06d}"
        expires_at = now + CODE_LIFETIME
        session.add(
            SignInCode(
                phone=phone,
                code_hash=_keyed_hash("code", phone, code),
                client_hash=client_hash,
                created_at=now,
                expires_at=expires_at,
            )
        )
        await session.flush()
        write_dev_sms(phone, f"Код для входу: {code}. Діє 5 хвилин. Нікому його не повідомляйте.")
    log.info("auth.code_sent")
    return expires_at


async def _check_lock(session: AsyncSession, phone: str, now: dt.datetime) -> None:
    lock = await session.get(SignInLock, phone)
    if lock is not None and lock.locked_until is not None and lock.locked_until > now:
        until = to_local(lock.locked_until).strftime("%H:%M")
        raise PhoneLockedError(field="phone", until=until)


async def _check_rate(session: AsyncSession, condition: Any, limit: int, now: dt.datetime) -> None:
    count = await session.scalar(
        select(func.count(SignInCode.id)).where(
            condition, SignInCode.created_at > now - RATE_WINDOW
        )
    )
    if (count or 0) >= limit:
        log.info("auth.rate_limited", limit=limit)
        raise TooManyCodesError(minutes=int(RATE_WINDOW.total_seconds() // 60))


async def issue_token(session: AsyncSession, raw_phone: str, code: str) -> TokenOut:
    """Exchange a valid code for a customer token. A wrong code counts towards the lock."""
    phone = normalize_phone(raw_phone)
    now = now_utc()
    async with session.begin():
        await _check_lock(session, phone, now)
        valid = await _use_code(session, phone, code.strip(), now)
        if not valid:
            await _count_wrong_code(session, phone, now)
    if not valid:
        raise InvalidSignInCodeError(field="code")

    expires_at = now + TOKEN_LIFETIME
    claims = {"sub": phone, "aud": TOKEN_AUDIENCE, "iat": now, "exp": expires_at}
    token = jwt.encode(claims, auth_secret(), algorithm="HS256")
    log.info("auth.token_issued")
    return TokenOut(access_token=token, token_type="Bearer", expires_at=to_local(expires_at))


async def _use_code(session: AsyncSession, phone: str, code: str, now: dt.datetime) -> bool:
    """Mark the phone's matching unexpired code used; return whether there was one."""
    candidates = await session.scalars(
        select(SignInCode).where(
            SignInCode.phone == phone, SignInCode.used_at.is_(None), SignInCode.expires_at > now
        )
    )
    expected = _keyed_hash("code", phone, code)
    for candidate in candidates:
        if hmac.compare_digest(candidate.code_hash, expected):
            candidate.used_at = now
            lock = await session.get(SignInLock, phone)
            if lock is not None:
                lock.failed_attempts = 0
            return True
    return False


async def _count_wrong_code(session: AsyncSession, phone: str, now: dt.datetime) -> None:
    lock = await session.get(SignInLock, phone)
    if lock is None:
        lock = SignInLock(phone=phone, failed_attempts=0)
        session.add(lock)
    lock.failed_attempts += 1
    if lock.failed_attempts >= MAX_WRONG_CODES:
        lock.failed_attempts = 0
        lock.locked_until = now + LOCK_TIME
        log.info("auth.phone_locked", minutes=int(LOCK_TIME.total_seconds() // 60))


def require_customer(request: Request[Any, Any, Any]) -> str:
    """Return the E.164 phone of the customer token in the request; raise 401 without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CustomerNotAuthenticatedError()
    try:
        claims = jwt.decode(
            token.strip(), auth_secret(), algorithms=["HS256"], audience=TOKEN_AUDIENCE
        )
    except jwt.InvalidTokenError as error:
        raise CustomerNotAuthenticatedError() from error
    subject = claims.get("sub")
    if not isinstance(subject, str):
        raise CustomerNotAuthenticatedError()
    return subject
