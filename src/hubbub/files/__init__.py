"""Uploaded files: where their bytes live (``storage``), what they are (``sniff``), and
removing the ones no message uses (``sweeper``). Records of them are the store's."""
