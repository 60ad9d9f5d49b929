//! Every example in the built-in transform catalogue holds (see
//! `eventless::examples`).

use eventless::transform::Catalogue;

#[test]
fn every_catalogue_example_holds() {
    let catalogue = Catalogue::builtin().unwrap_or_else(|e| panic!("{e}"));
    let (checked, failures) = eventless::examples::check_all(&catalogue);
    assert!(checked > 0, "the catalogue has no examples");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
