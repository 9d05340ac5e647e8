"""The static files' storage in production: WhiteNoise's, compressed and with hashed names."""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

LARGE = 2**20


class QuickCompressor(Compressor):
    """Brotli at its default, highest quality takes tens of seconds for a file of a few MB
    (Mermaid, config/vendor.py), twice per file with the hashed copy: such files get quality 5,
    which is seconds and nearly as small."""

    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        import brotli  # only called when it is installed (whitenoise checks)

        if len(data) > LARGE:
            return brotli.compress(data, quality=5)
        return brotli.compress(data)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs) -> Compressor:
        return QuickCompressor(**kwargs)
