//! The page's entry point (see the library for everything else).

fn main() {
    web::run();
}
