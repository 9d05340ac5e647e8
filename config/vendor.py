"""Browser libraries pinned in package.json and served as Stip's own static files.

npm installs them into node_modules/; this finder offers only the files listed in
`STIP_VENDOR_FILES` (static path → file below node_modules/), so `collectstatic` and WhiteNoise
serve them from our origin (no CDN; the Content-Security-Policy stays `script-src 'self'`). A
file that npm did not install is simply not found: the page then works without it (a diagram
shows its source).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.root = Path(settings.BASE_DIR) / "node_modules"
        self.files: dict[str, str] = dict(settings.STIP_VENDOR_FILES)

    def _existing(self, path: str) -> Path | None:
        source = self.files.get(path)
        if source is None:
            return None
        full = self.root / source
        return full if full.is_file() else None

    def find(self, path, find_all=False, **kwargs):
        full = self._existing(path)
        if full is None:
            return []
        return [str(full)] if find_all or kwargs.get("all") else str(full)

    def list(self, ignore_patterns):
        for path in self.files:
            full = self._existing(path)
            if full is None:
                continue
            storage = FileSystemStorage(location=str(full.parent))
            storage.prefix = str(Path(path).parent)
            yield full.name, storage
