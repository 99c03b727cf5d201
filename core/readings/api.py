"""Routes of customer sign-in, personal accounts, meter reading submissions and SMS intake."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import region_settings, require_staff
from core.i18n import translate
from core.plugins import PluginRegistry
from core.problems import problem_response, request_locale
from core.readings import auth, confirmation, delivery, history, service, sms
from core.readings.confirmation import ConfirmationForm
from core.readings.rules import REASONS
from core.readings.schemas import (
    AccountCreate,
    AccountLink,
    AccountOut,
    CodeRequest,
    CodeSent,
    MeterReplacement,
    ReadingHistoryOut,
    ReadingIn,
    ReadingOut,
    SmsInbound,
    SmsReply,
    TokenOut,
    TokenRequest,
)
from core.settings import Settings
from core.timezone import to_local


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["sign-in"]

    @post(
        "/codes",
        operation_id="requestSignInCode",
        summary="Send a sign-in code by SMS",
        status_code=202,
    )
    async def request_code(
        self, data: CodeRequest, request: Request[Any, Any, Any], session: AsyncSession
    ) -> CodeSent:
        client = request.client.host if request.client else "-"
        expires_at = await auth.request_code(session, data.phone, client)
        return CodeSent(expires_at=to_local(expires_at))

    @post(
        "/tokens",
        operation_id="createCustomerToken",
        summary="Exchange a sign-in code for a token",
        status_code=200,
    )
    async def create_token(self, data: TokenRequest, session: AsyncSession) -> TokenOut:
        return await auth.issue_token(session, data.phone, data.code)


class AccountAdminController(Controller):
    path = "/api/v1/admin/regions/{region:str}/accounts"
    tags = ["admin"]
    dependencies = {"_staff": Provide(require_staff, sync_to_thread=False)}

    @post(
        "/",
        operation_id="createAccount",
        summary="Create a personal account with its meter",
        status_code=201,
    )
    async def create(
        self,
        region: str,
        data: AccountCreate,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> AccountOut:
        config = region_settings(settings, registry, region)
        rules = await service.rules_for(registry.for_region(region))
        async with session.begin():
            account = await service.create_account(session, config, rules, data)
        return await service.account_out(session, account)

    @post(
        "/{account_id:int}/meters",
        operation_id="replaceMeter",
        summary="Record a meter replacement",
        status_code=201,
    )
    async def replace_meter(
        self,
        region: str,
        account_id: int,
        data: MeterReplacement,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        _staff: None,
    ) -> AccountOut:
        region_settings(settings, registry, region)
        async with session.begin():
            account = await service.replace_meter(session, region, account_id, data)
        return await service.account_out(session, account)


class CustomerAccountController(Controller):
    path = "/api/v1/regions/{region:str}/me/accounts"
    tags = ["readings"]
    dependencies = {"phone": Provide(auth.require_customer, sync_to_thread=False)}

    @post(
        "/",
        operation_id="linkAccount",
        summary="Link a personal account by its number and EIC",
        status_code=201,
    )
    async def link(
        self,
        region: str,
        data: AccountLink,
        phone: str,
        session: AsyncSession,
        registry: PluginRegistry,
    ) -> AccountOut:
        rules = await service.rules_for(registry.for_region(region))
        async with session.begin():
            account = await service.link_account(
                session, region, rules, phone, data.account_number, data.eic
            )
        return await service.account_out(session, account)

    @get(
        "/",
        operation_id="listLinkedAccounts",
        summary="Personal accounts linked to the signed-in phone",
    )
    async def list_accounts(
        self, region: str, phone: str, session: AsyncSession, registry: PluginRegistry
    ) -> list[AccountOut]:
        registry.for_region(region)
        accounts = await service.linked_accounts(session, region, phone)
        return [await service.account_out(session, account) for account in accounts]

    @get(
        "/{account_id:int}", operation_id="getLinkedAccount", summary="One linked personal account"
    )
    async def get_account(
        self,
        region: str,
        account_id: int,
        phone: str,
        session: AsyncSession,
        registry: PluginRegistry,
    ) -> AccountOut:
        registry.for_region(region)
        account = await service.customer_account(session, region, account_id, phone)
        return await service.account_out(session, account)

    @get(
        "/{account_id:int}/readings",
        operation_id="listReadings",
        summary="Meters, latest readings and consumption periods of a linked account",
    )
    async def list_readings(
        self,
        region: str,
        account_id: int,
        phone: str,
        session: AsyncSession,
        registry: PluginRegistry,
        request: Request[Any, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=history.MAX_LIMIT)] = history.DEFAULT_LIMIT,
    ) -> ReadingHistoryOut:
        registry.for_region(region)
        account = await service.customer_account(session, region, account_id, phone)
        return await history.reading_history(session, account, limit, request_locale(request))

    @post(
        "/{account_id:int}/readings/{reading_id:int}/confirmation",
        operation_id="confirmReading",
        summary="Confirm a reading that needs confirmation, optionally with a meter photo",
    )
    async def confirm(
        self,
        region: str,
        account_id: int,
        reading_id: int,
        data: Annotated[ConfirmationForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        phone: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
    ) -> Response[bytes]:
        rules = await service.rules_for(registry.for_region(region))
        async with session.begin():
            account = await service.customer_account(session, region, account_id, phone)
        locale = request_locale(request)
        judgement = await confirmation.confirm_reading(
            session, settings, rules, account, phone, reading_id, data.photo, locale
        )
        return judgement_response(judgement, locale)

    @post(
        "/{account_id:int}/readings", operation_id="submitReading", summary="Submit a meter reading"
    )
    async def submit(
        self,
        region: str,
        account_id: int,
        data: ReadingIn,
        phone: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        registry: PluginRegistry,
    ) -> Response[bytes]:
        rules = await service.rules_for(registry.for_region(region))
        async with session.begin():
            account = await service.customer_account(session, region, account_id, phone)
        judgement = await service.submit_reading(
            session,
            rules,
            account,
            phone,
            data.registers,
            confirm=data.confirm,
            locale=request_locale(request),
        )
        return judgement_response(judgement, request_locale(request))

    @get(
        "/{account_id:int}/readings/{reading_id:int}",
        operation_id="getReading",
        summary="One submitted meter reading with its delivery into billing",
    )
    async def get_reading(
        self,
        region: str,
        account_id: int,
        reading_id: int,
        phone: str,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        registry: PluginRegistry,
    ) -> ReadingOut:
        registry.for_region(region)
        account = await service.customer_account(session, region, account_id, phone)
        return await delivery.customer_reading(
            session, account, reading_id, request_locale(request)
        )


class SmsController(Controller):
    path = "/api/v1/regions/{region:str}/sms"
    tags = ["readings"]
    dependencies = {"_gateway": Provide(sms.require_gateway, sync_to_thread=False)}

    @post(
        "/inbound",
        operation_id="receiveSms",
        summary="SMS gateway webhook for meter readings",
        status_code=200,
    )
    async def inbound(
        self,
        region: str,
        data: SmsInbound,
        session: AsyncSession,
        registry: PluginRegistry,
        _gateway: None,
    ) -> SmsReply:
        hooks = registry.for_region(region)
        rules = await service.rules_for(hooks)
        phone = auth.normalize_phone(data.from_)
        return await sms.receive_sms(session, hooks, rules, phone, data.text)


def judgement_response(judgement: service.Judgement, locale: str) -> Response[bytes]:
    """Return 201 for an accepted reading, 200 for one to confirm and 422 problem details for a rejected one."""
    submission = judgement.submission
    rejection = judgement.rejection
    if rejection is not None:
        title, detail, advice = REASONS[rejection.reason]
        recommendation = translate(advice, locale, **rejection.params)
        return problem_response(
            422,
            rejection.reason,
            translate(title, locale),
            f"{translate(detail, locale, **rejection.params)} {recommendation}",
            field=f"registers.{rejection.register}" if rejection.register else "registers",
            extensions={
                "outcome": "rejected",
                "submission_id": submission.id,
                "recommendation": recommendation,
            },
        )

    if submission.outcome == service.NEEDS_CONFIRMATION:
        message = translate(
            "The consumption of {registers} is far from the usual. Check the values and send them again with confirm set to true.",
            locale,
            registers=", ".join(judgement.confirm),
        )
    else:
        message = translate(
            "The reading is accepted for {date}.", locale, date=submission.reading_date.isoformat()
        )
    body = ReadingOut(
        id=submission.id,
        outcome=submission.outcome,
        reading_date=submission.reading_date,
        registers=dict(submission.registers or {}),
        consumption=dict(submission.consumption or {}),
        confirm=judgement.confirm,
        message=message,
        delivery=delivery.delivery_out(submission, None, locale),
    )
    status = 201 if submission.outcome == service.ACCEPTED else 200
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json")
