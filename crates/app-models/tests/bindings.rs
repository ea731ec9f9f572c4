//! The committed TypeScript bindings must be what the Rust types generate today, and money
//! must cross them as decimal strings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn committed_bindings_are_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/lib/backend/bindings.ts");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == centime_app_models::typescript(),
        "ui/src/lib/backend/bindings.ts is stale: run `make bindings` and commit the result"
    );
}

/// Words that make a field money, whatever else its name says (`balanceAfter`, `dailyCap`).
const MONEY_WORDS: &[&str] =
    &["amount", "price", "balance", "budget", "spent", "cap", "left", "held", "total", "remaining", "under", "max"];

/// Words that make a money-like name something else: a time (`heldUntil`, in Unix seconds)
/// or a share in basis points.
const NOT_MONEY_WORDS: &[&str] = &["until", "at", "bp"];

/// Money-like names that are counts, each with its reason.
const COUNTS: &[(&str, &str)] = &[("ExportProgressDto.total", "rows an export will write")];

fn words(camel: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new()];
    for c in camel.chars() {
        if c.is_uppercase() && !out.last().is_some_and(String::is_empty) {
            out.push(String::new());
        }
        if let Some(w) = out.last_mut() {
            w.extend(c.to_lowercase());
        }
    }
    out
}

fn without_comments(ts: &str) -> String {
    let mut out = String::new();
    let mut rest = ts;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    out.push_str(rest);
    out.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every field of the object types in `ts` whose name is money and whose type is not a
/// decimal string (`string`, `string | null`) or a list or object of types checked in turn,
/// as `Type.field: type`; and every money field seen.
fn money_fields(ts: &str) -> (Vec<String>, Vec<String>) {
    let ts = without_comments(ts);
    let (mut seen, mut bad) = (Vec::new(), Vec::new());
    for decl in ts.split("export type ").skip(1) {
        let Some((name, body)) = decl.split_once(" = ") else { continue };
        let Some(fields) = body.trim().strip_prefix('{').and_then(|b| b.trim_end().strip_suffix("};")) else {
            continue;
        };
        for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let Some((field_name, ty)) = field.split_once(':') else { continue };
            let (field_name, ty) = (field_name.trim().trim_end_matches('?'), ty.trim());
            let w = words(field_name);
            let money = w.iter().any(|w| MONEY_WORDS.contains(&w.as_str()))
                && !w.iter().any(|w| NOT_MONEY_WORDS.contains(&w.as_str()));
            let qualified = format!("{name}.{field_name}");
            if !money || COUNTS.iter().any(|(c, _)| *c == qualified) {
                continue;
            }
            seen.push(qualified.clone());
            let scalar = ty.split('|').map(str::trim).filter(|t| *t != "null").collect::<Vec<_>>();
            let ok = scalar
                .iter()
                .all(|t| *t == "string" || t.starts_with("Array<") || t.chars().next().is_some_and(char::is_uppercase));
            if !ok {
                bad.push(format!("{qualified}: {ty}"));
            }
        }
    }
    (seen, bad)
}

fn money_not_as_strings(ts: &str) -> Vec<String> {
    money_fields(ts).1
}

#[test]
fn money_crosses_as_strings() {
    let ts = centime_app_models::typescript();
    assert!(ts.contains("amount: string"));
    assert_eq!(money_not_as_strings(&ts), Vec::<String>::new(), "money must cross as decimal strings");
    // The checker reads the fields at all.
    let (seen, _) = money_fields(&ts);
    for f in [
        "PromptDto.price",
        "PromptDto.balanceAfter",
        "PromptDto.allowanceLeft",
        "LimitsDto.dailyCap",
        "SiteDto.budget",
        "BalanceDto.held",
        "SpendDto.spent",
        "SiteDto.remaining",
    ] {
        assert!(seen.iter().any(|s| s == f), "{f} was not checked; checked: {seen:?}");
    }
}

#[test]
fn the_money_check_catches_numbers_and_bigints() {
    let sample = "export type A = { amount: number, asset: string, };\n\
                  export type B = { dailyCap: bigint | null, heldUntil: number | null, shareBp: number, };\n\
                  export type C = { \n/**\n * Left.\n */\nallowanceLeft: number, price: string, spentToday: Array<MoneyDto>, };\n\
                  export type ExportProgressDto = { rows: number, total: number, };\n\
                  export type D = { balanceAfter: number, };";
    assert_eq!(
        money_not_as_strings(sample),
        ["A.amount: number", "B.dailyCap: bigint | null", "C.allowanceLeft: number", "D.balanceAfter: number"]
    );
}
