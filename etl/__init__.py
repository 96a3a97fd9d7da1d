"""Infosäk ETL: owners' workbooks → validated → the store. The ETL owns the store's schema."""
