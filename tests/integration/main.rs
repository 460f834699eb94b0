//! Integration tests of mcstress: one binary, one module per area.

#[test]
fn print_known_fields() {
    let l = mcstress_scenario::embedded_default(None).unwrap();
    for f in l.known_fields {
        println!("FIELD {f}");
    }
}
