//! Money as the 台账 write it: yuan with at most two decimals, kept as whole cents
//! (`i64`) from the text a client sent to the text a report shows. It never passes
//! through a binary float, so 0.10 + 0.20 is exactly 0.30.

use crate::error::{FieldError, Format};

/// The largest amount accepted: one hundred billion yuan.
pub const MAX_CENTS: i64 = 100_000_000_000 * 100;

/// Reads `123`, `123.4` or `123.45` (an optional leading `+`, no sign otherwise, no
/// exponent, no thousands separators) as cents.
pub fn parse_cents(text: &str) -> Result<i64, &'static str> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    if text.starts_with('-') {
        return Err("must not be negative");
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return Err("must be an amount in yuan written as plain digits, e.g. 1234.50");
    }
    if fraction.len() > 2 {
        return Err("must have at most two decimals (whole fen)");
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 12 {
        return Err("is implausibly large");
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "is implausibly large")?
    };
    let fen: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let cents = yuan * 100 + fen;
    if cents > MAX_CENTS {
        return Err("is implausibly large");
    }
    Ok(cents)
}

/// [`parse_cents`], its refusal as an error of `field`: a negative or implausible amount
/// is out of range, anything else badly written.
pub fn parse_field(field: &str, text: &str) -> Result<i64, FieldError> {
    parse_cents(text).map_err(|message| {
        if message.contains("negative") || message.contains("implausibly") {
            FieldError::out_of_range(field, 0, MAX_CENTS / 100)
        } else {
            FieldError::bad_format(field, Format::Amount, message)
        }
    })
}

/// Cents as yuan with two decimals: `30` → `0.30`, `50000000` → `500000.00`.
pub fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_and_written_exactly() {
        assert_eq!(parse_cents("0.10"), Ok(10));
        assert_eq!(parse_cents("0.2"), Ok(20));
        assert_eq!(
            yuan(parse_cents("0.10").unwrap() + parse_cents("0.20").unwrap()),
            "0.30"
        );
        assert_eq!(parse_cents("500000"), Ok(50_000_000));
        assert_eq!(parse_cents(" 007.05 "), Ok(705));
        assert_eq!(parse_cents("+1"), Ok(100));
        assert_eq!(yuan(50_000_000), "500000.00");
        assert_eq!(yuan(0), "0.00");
        for bad in [
            "", ".5", "5.", "1.234", "-1", "1e3", "1,000", "abc", "0x10", "1 000",
        ] {
            assert!(parse_cents(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_cents("100000000000.00").is_ok());
        assert!(parse_cents("100000000000.01").is_err());
        assert!(parse_cents("99999999999999999999").is_err());
    }
}
