"""Plain helpers for tests (fixtures live in conftest.py)."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from harborlight.accounts.models import Organisation, User
from harborlight.accounts.twofactor import enrol_confirmed

PASSWORD = "a long test passphrase 2026"


def make_user(organisation: Organisation, role: str, username: str,
              password: str | None = None) -> User:
    user = User.objects.create_user(username=username, organisation=organisation, role=role,
                                    password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def verify_session(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` with a verified second factor, skipping the forms."""
    device = enrol_confirmed(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# A public CTDC v2024 release, for the comparison layer (Counter Trafficking Data
# Collaborative, IOM); rows here are made up.
CTDC_2024_HEADER = ("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,"
                    "traffickMonths,meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,"
                    "meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds,"
                    "meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,"
                    "isOtherExploit,typeOfLabourAgriculture,typeOfLabourConstruction,"
                    "typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,"
                    "typeOfSexPornography,recruiterRelationIntimatePartner,"
                    "recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther")


def ctdc_row(gender: str, flags: dict[str, str]) -> str:
    columns = CTDC_2024_HEADER.split(",")
    values = {"yearOfRegistration": "2020", "gender": gender, "ageBroad": "18--20",
              "citizenship": "MDA", "CountryOfExploitation": "TUR", **flags}
    return ",".join(values.get(column, "") for column in columns)
