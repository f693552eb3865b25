/** The screen's font files (kept apart from the renderer so the configuration can name them without loading Skia). */
export interface FontFiles {
  regular: string;
  bold: string;
  /** A font with CJK Extension B, for rare characters in names. */
  fallback: string;
}

export const DEFAULT_FONTS: FontFiles = {
  regular: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  bold: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  fallback: '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf',
};
