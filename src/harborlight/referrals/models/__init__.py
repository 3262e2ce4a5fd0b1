"""The referrals app's records: the service directory, and referrals and transfers."""

from harborlight.referrals.models.directory import ServiceProvider, ServiceProviderQuerySet
from harborlight.referrals.models.referral import (
                                                   Referral,
                                                   ReferralError,
                                                   ReferralKind,
                                                   ReferralQuerySet,
                                                   ReferralReason,
                                                   ReferralStatus,
)

__all__ = ["Referral", "ReferralError", "ReferralKind", "ReferralQuerySet", "ReferralReason",
           "ReferralStatus", "ServiceProvider", "ServiceProviderQuerySet"]
