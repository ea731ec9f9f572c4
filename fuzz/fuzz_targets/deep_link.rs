//! `centime://pay` and `centime://topup` links.
#![no_main]

use centime_protocol::deeplink::{DeepLink, check_return_url};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = check_return_url(s);
    if let Ok(link) = DeepLink::parse(s) {
        // Whatever parses prints to a link that parses back to the same thing.
        let printed = link.to_link().expect("a parsed link prints");
        assert_eq!(DeepLink::parse(&printed).expect("a printed link parses"), link);
    }
});
