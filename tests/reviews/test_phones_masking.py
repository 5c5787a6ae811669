"""Reviewer phone numbers and names as channels really send them: the stored form
(app/reviews/phones.py) and the masked one (app/reviews/masking.py)."""

from __future__ import annotations

import pytest

from app.reviews.masking import mask_cert, mask_name, mask_phone
from app.reviews.phones import PhoneInvalid, normalise

# sent → stored → masked
PHONES = [
    ("13812345678", "13812345678", "138****5678"),
    ("+86 138 1234 5678", "13812345678", "138****5678"),
    ("+8613812345678", "13812345678", "138****5678"),
    ("8613812345678", "13812345678", "138****5678"),
    ("0086 13812345678", "13812345678", "138****5678"),
    ("138-1234-5678", "13812345678", "138****5678"),
    (" 13812345678\u200b", "13812345678", "138****5678"),
    ("0755-12345678", "0755-12345678", "****-****5678"),
    ("075512345678", "0755-12345678", "****-****5678"),
    ("(0755)1234 5678", "0755-12345678", "****-****5678"),
    ("（0755）12345678", "0755-12345678", "****-****5678"),
    ("０７５５－１２３４５６７８", "0755-12345678", "****-****5678"),  # 全角, from an input method
    ("+86 755 12345678", "0755-12345678", "****-****5678"),
    ("010-1234567", "010-1234567", "***-***4567"),
    ("02088888888", "020-88888888", "***-****8888"),
    ("021-1234-5678", "021-12345678", "***-****5678"),
    ("0755-1234567-801", "0755-1234567-801", "****-***4567-***"),
    ("0755-12345678转801", "0755-12345678-801", "****-****5678-***"),
    ("0755-12345678 ext. 801", "0755-12345678-801", "****-****5678-***"),
    ("83456789", "83456789", "****6789"),
    ("400-123-4567", "4001234567", "400***4567"),
    ("800 123 4567转2", "8001234567-2", "800***4567-*"),
    ("95588", "95588", "***88"),
    ("12345", "12345", "***45"),
    ("", None, None),
    ("   ", None, None),
]


@pytest.mark.parametrize(("sent", "stored", "masked"), PHONES)
def test_a_number_is_stored_in_one_form_and_masked_by_its_kind(sent, stored, masked):
    assert normalise(sent) == stored
    assert mask_phone(stored) == masked


@pytest.mark.parametrize(("sent", "message"), [
    ("abc", "Not a phone number"),
    ("1381234567a", "Not a phone number"),
    ("123", "Too short"),
    ("1381234567", "A mobile number has 11 digits (this has 10)"),
    ("138123456789", "A mobile number has 11 digits (this has 12)"),
    ("0755-0234567", "7 or 8 digits after the area code 0755"),
    ("0755-123", "7 or 8 digits after the area code 0755"),
    ("13812345678转1", "Only a landline or a 400/800 number has an extension"),
    ("+1 415 5551234", "Not a phone number"),
])
def test_what_is_no_number_is_refused_saying_why(sent, message):
    with pytest.raises(PhoneInvalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalise(sent)


@pytest.mark.parametrize(("stored", "masked"), [
    ("075512345678", "****-****5678"),  # stored before numbers were normalised
    ("0755-123", "***5-123"),
    ("12-34", "**-34"),
])
def test_a_number_stored_in_another_form_still_shows_no_more_than_four_digits(stored, masked):
    assert mask_phone(stored) == masked


@pytest.mark.parametrize(("name", "kind", "masked"), [
    ("张三", "individual", "张*"),
    ("欧阳娜娜", "individual", "欧***"),
    ("张", "individual", "*"),  # the whole name would show
    ("䶮", "individual", "*"),
    ("𡈼", "individual", "*"),  # outside the BMP: one character
    ("𠮷野家", "individual", "𠮷**"),
    ("阿依古丽·买买提", "individual", "阿*******"),
    ("买买提·艾力·阿不都热合曼", "individual", "买" + "*" * 12),
    (" 张三 ", "individual", "张*"),
    ("深圳市某某科技有限公司", "legal_person", "深圳*********"),
    ("某公司", "legal_person", "某**"),
    ("", "individual", ""),
    (None, "individual", None),
])
def test_names_keep_one_character_and_never_all_of_a_short_one(name, kind, masked):
    assert mask_name(name, kind) == masked


@pytest.mark.parametrize(("cert", "masked"), [
    ("440301199001011234", "4403************34"),
    ("H1234567", "H123**67"),
    ("123456", "******"),  # its first 4 and last 2 would be all of it
    ("1234", "****"),
])
def test_short_certificate_numbers_are_not_shown_whole(cert, masked):
    assert mask_cert(cert) == masked
