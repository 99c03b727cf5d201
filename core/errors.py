"""One error hierarchy for the platform, mapped to RFC 9457 problem details in one handler.

Each error carries a stable `code`, the HTTP status, the invalid field where there is one, and an
English message template whose Ukrainian translation lives in the `uk` catalog of `core.i18n`.
The template is formatted with `params`, so the translated text names the same values.
"""

from collections.abc import Mapping
from typing import Any, ClassVar


class DsoError(Exception):
    """Base of every error the platform reports to a user."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    template: ClassVar[str] = "The request failed."

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params: Mapping[str, Any] = params
        super().__init__(self.template.format(**params))


class NotFoundError(DsoError):
    status = 404
    code = "not_found"
    title = "Not found"


class InvalidInputError(DsoError):
    status = 400
    code = "invalid_input"
    title = "Invalid input"


class UnknownRegionError(NotFoundError):
    code = "unknown_region"
    title = "Unknown region"
    template = "Region '{region}' is not served here. Known regions: {known}."


class RegionDisabledError(NotFoundError):
    code = "region_disabled"
    title = "Region disabled"
    template = "Region '{region}' is disabled by the operator of this platform."


class UnknownQueueError(NotFoundError):
    code = "unknown_queue"
    title = "Unknown queue"
    template = "Queue '{queue}' does not exist in region '{region}'. Its queues are {queues}."


class InvalidDateError(InvalidInputError):
    code = "invalid_date"
    title = "Invalid date"
    template = "'{value}' is not a date. Use the form YYYY-MM-DD, for example 2026-01-29."


class InvalidQueryError(InvalidInputError):
    code = "invalid_query"
    title = "Invalid query"
    template = "Parameter '{name}' is invalid: {reason}"


class AddressNotFoundError(NotFoundError):
    code = "address_not_found"
    title = "Address not found"
    template = (
        "Address '{address}' was not found in region '{region}'. Check the street and house number."
    )


class BuildingNotFoundError(NotFoundError):
    code = "building_not_found"
    title = "Building not found"
    template = "Building {building_id} was not found in region '{region}'."


class AmbiguousAddressError(DsoError):
    status = 409
    code = "ambiguous_address"
    title = "Ambiguous address"
    template = "Address '{address}' matches several buildings. Choose one of the candidates."


class SourceFormatError(InvalidInputError):
    """A schedule or address source file that cannot be read. Nothing from it is stored."""

    status = 422
    code = "malformed_source"
    title = "Malformed source file"
    template = "File '{file}' cannot be read at {place}: {reason}"


class UnsupportedSourceError(InvalidInputError):
    status = 422
    code = "unsupported_source"
    title = "Unsupported source file"
    template = "File '{file}' is not a source format that region '{region}' reads ({formats})."


class PayloadTooLargeError(InvalidInputError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"
    template = "The request body is {size} bytes; the limit is {limit} bytes."


class NotAuthenticatedError(DsoError):
    status = 401
    code = "not_authenticated"
    title = "Not authenticated"
    template = "A valid staff token is required. Send it as 'Authorization: Bearer <token>'."


class ServiceUnavailableError(DsoError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"
    template = "The service cannot accept this request right now. Retry in a minute."


class ConfigError(Exception):
    """A configuration file or variable that is invalid. Raised at start, never during a request."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        self.source = source
        self.key = key
        self.reason = reason
        super().__init__(f"{source}: {key}: {reason}")


class ForeignQueueError(InvalidInputError):
    status = 422
    code = "queue_not_in_region"
    title = "Queue not in region"
    template = (
        "File '{file}' has queue {queue}, which region '{region}' does not have (its queues are"
        " {queues}). Check that the file belongs to this region."
    )


class EmptySourceError(InvalidInputError):
    status = 422
    code = "empty_source"
    title = "Empty source file"
    template = "File '{file}' is empty. Send the file's content as the request body."


class UnreadableFileError(InvalidInputError):
    code = "unreadable_file"
    title = "Unreadable file"
    template = "File '{file}' cannot be read: {reason}"


class StreetNotFoundError(NotFoundError):
    code = "street_not_found"
    title = "Street not found"
    template = "Street {street_id} was not found in region '{region}'. Search for the street first."


class OutageTargetError(InvalidInputError):
    code = "invalid_outage_target"
    title = "Invalid outage target"
    template = "Give exactly one target: 'building_ids', 'street_id' or 'node'."


class InvalidTimeRangeError(InvalidInputError):
    code = "invalid_time_range"
    title = "Invalid time range"
    template = (
        "The estimated restoration {end} is not after the start {start}. Correct one of them."
    )


class OutageNotFoundError(NotFoundError):
    code = "outage_not_found"
    title = "Outage not found"
    template = "Outage {outage_id} was not found in region '{region}'."


class OutageResolvedError(DsoError):
    status = 409
    code = "outage_resolved"
    title = "Outage already resolved"
    template = "Outage {outage_id} was resolved at {resolved_at} and cannot change any more."


class SubscriptionTargetError(InvalidInputError):
    code = "invalid_subscription_target"
    title = "Invalid subscription target"
    template = "Give exactly one of 'building_id' and 'queue'."


class MissingFieldError(InvalidInputError):
    code = "missing_field"
    title = "Missing field"
    template = "Field '{name}' is required for channel '{channel}'."


class InvalidWebhookUrlError(InvalidInputError):
    code = "invalid_webhook_url"
    title = "Invalid webhook URL"
    template = "'{url}' cannot be used as a webhook URL: {reason}"


class InvalidEmailAddressError(InvalidInputError):
    code = "invalid_email_address"
    title = "Invalid e-mail address"
    template = "'{address}' is not a valid e-mail address. Check it and send it again."


class InvalidQuietHoursError(InvalidInputError):
    code = "invalid_quiet_hours"
    title = "Invalid quiet hours"
    template = "Quiet hours are invalid: {reason}"


class InvalidTimeOfDayError(InvalidInputError):
    code = "invalid_time_of_day"
    title = "Invalid time of day"
    template = "'{value}' is not a time of day. Use HH:MM, for example 22:30."


class ChannelUnavailableError(InvalidInputError):
    status = 422
    code = "channel_unavailable"
    title = "Channel unavailable"
    template = "Channel '{channel}' is not configured on this platform. Use another channel."


class SubscriptionNotFoundError(NotFoundError):
    code = "subscription_not_found"
    title = "Subscription not found"
    template = (
        "Subscription {subscription_id} was not found in region '{region}', or the token does"
        " not match it. Use the token returned when the subscription was created."
    )


class InvalidPhoneError(InvalidInputError):
    code = "invalid_phone"
    title = "Invalid phone number"
    template = "'{value}' is not a Ukrainian mobile or landline number. Use the form +380XXXXXXXXX."


class TooManyCodesError(DsoError):
    status = 429
    code = "too_many_codes"
    title = "Too many sign-in codes"
    template = "Too many sign-in codes were requested. Try again in {minutes} minutes."


class InvalidSignInCodeError(InvalidInputError):
    status = 401
    code = "invalid_sign_in_code"
    title = "Invalid sign-in code"
    template = "The sign-in code is wrong or has expired. Check it or request a new one."


class PhoneLockedError(DsoError):
    status = 429
    code = "phone_locked"
    title = "Sign-in locked"
    template = "Too many wrong codes were entered for this phone. Try again after {until}."


class CustomerNotAuthenticatedError(DsoError):
    status = 401
    code = "customer_not_authenticated"
    title = "Not authenticated"
    template = (
        "A valid customer token is required. Sign in with a code sent by SMS and send the token"
        " as 'Authorization: Bearer <token>'."
    )


class InvalidAccountNumberError(InvalidInputError):
    status = 422
    code = "invalid_account_number"
    title = "Invalid personal account number"
    template = "'{value}' is not a personal account number of region '{region}'. Check the number on your bill."


class InvalidEicError(InvalidInputError):
    status = 422
    code = "invalid_eic"
    title = "Invalid EIC"
    template = "'{value}' is not a valid EIC. It has 16 characters, for example 62Z000000000001B."


class AccountExistsError(DsoError):
    status = 409
    code = "account_exists"
    title = "Personal account exists"
    template = "Personal account {account} already exists in region '{region}'."


class AccountNotFoundError(NotFoundError):
    code = "account_not_found"
    title = "Personal account not found"
    template = "Region '{region}' has no personal account {account} with this EIC. Check both on your bill."


class AccountForbiddenError(DsoError):
    status = 403
    code = "account_forbidden"
    title = "Personal account not linked"
    template = "Personal account {account_id} is not linked to your phone. Link it with its number and EIC first."


class InvalidMeterError(InvalidInputError):
    status = 422
    code = "invalid_meter"
    title = "Invalid meter"
    template = "The meter's initial readings must name exactly its registers: {expected}."


class NoMeterError(DsoError):
    status = 409
    code = "no_meter"
    title = "No meter installed"
    template = "Personal account {account_id} has no installed meter. Contact your distribution system operator."


class ReadingsNotOfferedError(NotFoundError):
    code = "readings_not_offered"
    title = "Meter readings not offered"
    template = "Region '{region}' does not accept meter readings on this platform."


class SmsGatewayNotAuthenticatedError(DsoError):
    status = 401
    code = "sms_gateway_not_authenticated"
    title = "Not authenticated"
    template = "The SMS gateway secret is missing or wrong."


class SmsNotOfferedError(NotFoundError):
    code = "sms_not_offered"
    title = "SMS readings not offered"
    template = "Region '{region}' does not take meter readings by SMS."


class ReadingNotFoundError(NotFoundError):
    code = "reading_not_found"
    title = "Meter reading not found"
    template = "Personal account {account_id} has no meter reading {submission_id}."


class BatchNotFoundError(NotFoundError):
    code = "batch_not_found"
    title = "Reading batch not found"
    template = "Region '{region}' has no reading batch {batch_id}."


class BatchNotFailedError(DsoError):
    status = 409
    code = "batch_not_failed"
    title = "Reading batch not failed"
    template = (
        "Reading batch {batch_id} is '{state}', so there is nothing to send again. Only a batch"
        " whose delivery failed can be sent again; a retrying batch is sent automatically."
    )


class UnknownBatchStateError(InvalidInputError):
    code = "unknown_batch_state"
    title = "Unknown batch state"
    template = "Batch state '{state}' is unknown. Use one of: {known}."


class ReadingNotAwaitingConfirmationError(DsoError):
    status = 409
    code = "reading_not_awaiting_confirmation"
    title = "Meter reading needs no confirmation"
    template = (
        "Meter reading {submission_id} has the outcome '{outcome}', so there is nothing to"
        " confirm. Only a reading answered with 'needs_confirmation' for the current meter can"
        " be confirmed."
    )


class PhotoTooLargeError(DsoError):
    status = 413
    code = "photo_too_large"
    title = "Photo too large"
    template = (
        "Photo '{file}' has {size} bytes, more than the limit of {limit} bytes. Send a smaller"
        " JPEG or PNG photo of the meter."
    )


class UnsupportedPhotoError(DsoError):
    status = 415
    code = "unsupported_photo"
    title = "Unsupported photo type"
    template = (
        "File '{file}' is not a readable JPEG or PNG image. Send a photo of the meter in one of"
        " the accepted types: {accepted}."
    )


class FinalReadingRejectedError(InvalidInputError):
    status = 422
    code = "final_reading_rejected"
    title = "Impossible final reading"
    template = (
        "The final reading of register '{register}' of the removed meter does not follow its"
        " previous reading {previous} within the connection's capacity. Check the values in the"
        " replacement record."
    )
