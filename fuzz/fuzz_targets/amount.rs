//! Amounts: what people type, wire integers at a scale, and the JSON machine form.
#![no_main]

use centime_protocol::{Asset, Micros};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&scale, rest)) = data.split_first() else { return };
    let Ok(s) = std::str::from_utf8(rest) else { return };
    if let Ok(m) = Micros::parse_user(s) {
        assert!(!m.is_negative());
        assert_eq!(m.to_string().parse::<Micros>().expect("display parses"), m);
    }
    let scale = i64::from(scale % 9) - 1;
    if let Ok(m) = Micros::from_wire(s, scale) {
        let scale = u8::try_from(scale).expect("from_wire accepted the scale");
        assert_eq!(m.to_wire(scale).expect("exact at its own scale"), s);
    }
    if let Ok(m) = s.parse::<Micros>() {
        assert_eq!(m.to_string().parse::<Micros>().expect("display parses"), m);
    }
    let _ = s.parse::<Asset>();
});
