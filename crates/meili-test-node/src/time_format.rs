//! Timestamps and durations in Meilisearch's formats: RFC 3339 (`2024-01-01T00:00:00.1Z`) and
//! ISO-8601 durations (`PT0.012S`).

use std::time::Duration;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current time in UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The RFC 3339 text of a timestamp.
pub fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// An optional timestamp as JSON (`null` when absent).
pub fn timestamp_json(at: Option<OffsetDateTime>) -> Value {
    at.map_or(Value::Null, |at| Value::String(timestamp(at)))
}

/// Parses an RFC 3339 timestamp (API key `expiresAt`, task date filters).
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// The ISO-8601 duration text Meilisearch uses for task durations (`PT0.000123S`).
pub fn iso_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let nanos = duration.subsec_nanos();
    if nanos == 0 {
        return format!("PT{seconds}S");
    }
    let fraction = format!("{nanos:09}");
    format!("PT{seconds}.{}S", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_iso_8601_seconds() {
        assert_eq!(iso_duration(Duration::from_millis(10)), "PT0.01S");
        assert_eq!(iso_duration(Duration::from_secs(2)), "PT2S");
        assert_eq!(
            iso_duration(Duration::from_nanos(1_500_000_123)),
            "PT1.500000123S"
        );
    }

    #[test]
    fn timestamps_round_trip_through_rfc_3339() {
        let at = now();
        assert_eq!(parse_timestamp(&timestamp(at)), Some(at));
    }
}
