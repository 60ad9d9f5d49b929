use std::time::Instant;
fn main() {
    let roots: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let files = eventless::discover::discover(&roots, &[]).unwrap().files;
    let texts: Vec<String> = files.iter().filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| eventless::discover::mentions_eventlet(t.as_bytes())).collect();
    let cat = eventless::transform::Catalogue::builtin().unwrap();
    let t = Instant::now();
    let trees: Vec<_> = texts.iter().map(|t| eventless::python::parse::parse(t)).collect();
    println!("parse {:?}", t.elapsed());
    let t = Instant::now();
    for (tr, tx) in trees.iter().zip(&texts) { std::hint::black_box(eventless::python::bindings::Bindings::analyze(tr, tx)); }
    println!("bindings {:?}", t.elapsed());
    let t = Instant::now();
    for (tr, tx) in trees.iter().zip(&texts) { std::hint::black_box(eventless::analysis::analyze(tr, tx, &cat)); }
    println!("analyze {:?}", t.elapsed());
    let t = Instant::now();
    for tr in trees.iter() { let mut c = tr.walk(); let mut n = 0usize; loop { n+=1; if c.goto_first_child() {continue;} while !c.goto_next_sibling() { if !c.goto_parent() { break; } } if c.depth()==0 {break;} } std::hint::black_box(n); }
    println!("cursor walk {:?}", t.elapsed());
}
