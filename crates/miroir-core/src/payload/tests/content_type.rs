//! `Content-Type` values as actix-web + `mime` read them: parameters, case, `+suffix`, and which
//! malformed values are echoed verbatim.

use super::assert_error;
use crate::error::ErrorCode;
use crate::payload::PayloadFormat;

const ACCEPTED: &str = "Accepted values for the Content-Type header are: `application/json`, `application/x-ndjson`, `text/csv`";

fn format_of(content_type: &str) -> Option<PayloadFormat> {
    PayloadFormat::from_content_type(Some(content_type)).ok()
}

/// The value echoed in the `invalid_content_type` message.
fn echoed(content_type: &str) -> String {
    let error = PayloadFormat::from_content_type(Some(content_type)).unwrap_err();
    let prefix = "The Content-Type `";
    let suffix = format!("` is invalid. {ACCEPTED}");
    assert_eq!(error.code_str(), "invalid_content_type");
    let message = error.to_string();
    message
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix.as_str()))
        .unwrap_or_else(|| panic!("unexpected message {message:?}"))
        .to_owned()
}

#[test]
fn the_three_formats_are_recognised_with_parameters_and_in_any_case() {
    for (content_type, format) in [
        ("application/json", PayloadFormat::Json),
        ("application/json; charset=utf-8", PayloadFormat::Json),
        ("application/json;charset=UTF-8", PayloadFormat::Json),
        ("Application/JSON", PayloadFormat::Json),
        ("application/x-ndjson", PayloadFormat::Ndjson),
        (
            "application/x-ndjson; charset=\"utf-8\"",
            PayloadFormat::Ndjson,
        ),
        ("text/csv", PayloadFormat::Csv),
        (
            "TEXT/CSV; header=present; charset=utf-8",
            PayloadFormat::Csv,
        ),
        ("text/csv;", PayloadFormat::Csv),
        ("text/csv; ", PayloadFormat::Csv),
        ("text/csv;a=", PayloadFormat::Csv),
        ("text/csv; a=\"b c\" ", PayloadFormat::Csv),
    ] {
        assert_eq!(format_of(content_type), Some(format), "{content_type:?}");
    }
}

#[test]
fn a_structured_suffix_is_not_part_of_the_subtype() {
    assert_eq!(
        format_of("application/json+extra"),
        Some(PayloadFormat::Json)
    );
    assert_eq!(
        format_of("text/csv+x; charset=utf-8"),
        Some(PayloadFormat::Csv)
    );
    assert_eq!(echoed("application/ld+json"), "application/ld");
    assert_eq!(echoed("application/a+b+json"), "application/a+b");
}

#[test]
fn a_parsed_but_unsupported_type_is_echoed_as_lowercase_type_and_subtype() {
    assert_eq!(echoed("Application/XML; charset=utf-8"), "application/xml");
    assert_eq!(echoed("*/*"), "*/*");
    assert_eq!(echoed("text/"), "text/");
    assert_eq!(echoed("application/+json"), "application/+json");
}

#[test]
fn an_unparsable_value_is_echoed_verbatim() {
    for content_type in [
        "",
        "doggo",
        "/json",
        "application/json ; charset=utf-8",
        " application/json",
        "application/json;;",
        "application/json; charset",
        "application/json; =utf-8",
        "application/json; a=\"\"",
        "application/json; a=\"unterminated",
        "application/json; a=\"b\"c",
        "application/json; a=b c",
        "application/json\t",
        "application/jsön",
    ] {
        assert_eq!(echoed(content_type), content_type, "{content_type:?}");
    }
}

#[test]
fn a_csv_delimiter_is_accepted_with_csv_and_ignored_when_absent() {
    assert_eq!(
        PayloadFormat::negotiate(Some("text/csv; charset=utf-8"), Some(b';')),
        Ok(PayloadFormat::Csv)
    );
    assert_eq!(
        PayloadFormat::negotiate(Some("application/json"), None),
        Ok(PayloadFormat::Json)
    );
    assert_error(
        &PayloadFormat::negotiate(Some("Application/JSON; charset=utf-8"), Some(b';')).unwrap_err(),
        ErrorCode::InvalidContentType,
        "The Content-Type `application/json` does not support the use of a csv delimiter. The csv delimiter can only be used with the Content-Type `text/csv`.",
    );
    // An unsupported type is reported before the delimiter.
    assert_eq!(
        PayloadFormat::negotiate(Some("text/plain"), Some(b';'))
            .unwrap_err()
            .to_string(),
        format!("The Content-Type `text/plain` is invalid. {ACCEPTED}")
    );
}
