//! `docs/reference.md` is generated from the schema registry; this test
//! keeps it fresh (`DVCC_UPDATE_REFERENCE=1` rewrites it).

use crate::support::root;

#[test]
fn reference_is_fresh() {
    let generated = dvcc::schema::reference::markdown(dvcc::schema::registry());
    let path = root().join("docs/reference.md");
    if std::env::var_os("DVCC_UPDATE_REFERENCE").is_some() {
        std::fs::write(&path, &generated).expect("docs/reference.md is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/reference.md is stale: run `DVCC_UPDATE_REFERENCE=1 cargo test --test it reference` and commit it"
    );
}

#[test]
fn reference_covers_every_block_and_attribute() {
    let reg = dvcc::schema::registry();
    let page = dvcc::schema::reference::markdown(reg);
    for b in &reg.blocks {
        for a in &b.attrs {
            assert!(
                page.contains(&format!("| `{}` |", a.name)),
                "{}.{} missing",
                b.id,
                a.name
            );
        }
    }
    assert!(dvcc::schema::reference::for_kind(reg, "service").is_some_and(|s| s.contains("`image`")));
    assert!(dvcc::schema::reference::for_kind(reg, "on").is_some_and(|s| s.contains("push") && s.contains("cron")));
}
