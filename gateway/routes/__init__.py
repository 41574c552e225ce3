"""One module per REST document, each exposing `routes: list[BaseRoute]` (CONVENTIONS 12)."""
