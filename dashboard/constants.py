"""Ids of the app-wide components and the names of the URL parameters that hold global filters."""

# App-wide component ids (page ids live in their page modules, prefixed by the page).
URL = "app-url"
FILTERS_STORE = "app-filters"
FILTER_MUNICIPALITY = "app-filter-municipality"
FILTER_ADMINISTRATION = "app-filter-administration"
FILTER_AS_OF = "app-filter-as-of"
LANGUAGE_SWITCH = "app-language"
NAVBAR = "app-navbar"
NAV_LINKS = "app-nav-links"
DEMO_BANNER = "app-demo-banner"

# URL query parameters (Swedish, since users bookmark and share them).
PARAM_MUNICIPALITY = "kommun"
PARAM_ADMINISTRATION = "forvaltning"
PARAM_AS_OF = "datum"
PARAM_LANGUAGE = "sprak"

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

# Grid page size for server-side (infinite row model) grids.
GRID_BLOCK_SIZE = 100
