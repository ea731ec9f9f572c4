//! Amounts: what people type, wire integers at a scale, and the JSON machine form.

use super::assert_printable;
use centime_protocol::{Asset, Micros};

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Some((&scale, rest)) = data.split_first() else { return };
    let Ok(s) = std::str::from_utf8(rest) else { return };
    match Micros::parse_user(s) {
        Ok(m) => {
            assert!(!m.is_negative());
            // The display form is machine form and user form alike.
            assert_eq!(m.to_string().parse::<Micros>().expect("display parses"), m);
            assert_eq!(Micros::parse_user(&m.to_string()).expect("display parses as typed"), m);
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    let scale = i64::from(scale % 9) - 1;
    match Micros::from_wire(s, scale) {
        Ok(m) => {
            assert!(!m.is_negative());
            let scale = u8::try_from(scale).expect("from_wire accepted the scale");
            assert_eq!(m.to_wire(scale).expect("exact at its own scale"), s);
            let natural = m.natural_scale();
            assert!(natural <= 6);
            assert_eq!(
                Micros::from_wire(&m.to_wire(natural).expect("exact at its natural scale"), natural.into()),
                Ok(m)
            );
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match s.parse::<Micros>() {
        Ok(m) => assert_eq!(m.to_string().parse::<Micros>().expect("display parses"), m),
        Err(e) => assert_printable(&e.to_string()),
    }
    match s.parse::<Asset>() {
        Ok(a) => assert_eq!(a.as_str(), s),
        Err(e) => assert_printable(&e.to_string()),
    }
}
