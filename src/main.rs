fn main() {
    std::process::exit(karte::cli::main());
}
