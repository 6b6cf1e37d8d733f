import { Text } from '@mantine/core';
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type Ref } from 'react';
import { IconFile } from '../../ui/Icons';

/**
 * The large view of one file. Pictures: fitted to the pane, zoom with the wheel (around the
 * pointer), the +/− keys or buttons, drag to pan, double-click to switch between fit and
 * actual pixels. Videos: the browser's own player with its controls (seeking uses the
 * carriers' range requests).
 */

export interface ViewerHandle {
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  actual(): void;
}

interface Props {
  kind: 'image' | 'video';
  src: string;
  /** Accessible description of the picture. */
  alt: string;
  onZoomChange?: (percent: number | null) => void;
  ref?: Ref<ViewerHandle>;
}

const MIN_SCALE = 0.05;
const MAX_SCALE = 16;
const STEP = 1.25;

interface View {
  scale: number;
  x: number;
  y: number;
}

/** The view that fits a picture of `natural` size into the pane `el`, centred. */
function fitIn(el: HTMLElement, natural: { w: number; h: number }): View {
  const cw = el.clientWidth;
  const ch = el.clientHeight;
  // Never enlarge a small picture to fit: blown-up pixels read as blur, not as detail.
  const scale = Math.min(1, cw / natural.w, ch / natural.h);
  return { scale, x: (cw - natural.w * scale) / 2, y: (ch - natural.h * scale) / 2 };
}

export function Viewer({ kind, src, alt, onZoomChange, ref }: Props) {
  const [failed, setFailed] = useState(false);
  // Another file gets its own chance to load: reset while rendering, from the src last seen.
  const [shownSrc, setShownSrc] = useState(src);
  if (src !== shownSrc) {
    setShownSrc(src);
    setFailed(false);
  }
  if (failed)
    return (
      <div className="ev-viewer ev-viewer-empty" data-testid="evidence-viewer" data-state="error">
        <IconFile size={28} />
        <Text fz="sm" c="gray.4" mt={6}>
          The file could not be loaded. It may be missing from the evidence store, or your session ended.
        </Text>
      </div>
    );
  if (kind === 'video')
    return (
      <div className="ev-viewer" data-testid="evidence-viewer" data-kind="video">
        <video
          key={src}
          className="ev-video"
          src={src}
          controls
          preload="metadata"
          playsInline
          onError={() => setFailed(true)}
          data-testid="viewer-video"
          aria-label={alt}
        />
      </div>
    );
  return <ZoomPan key={src} src={src} alt={alt} onZoomChange={onZoomChange} onFail={() => setFailed(true)} handle={ref} />;
}

function ZoomPan({
  src,
  alt,
  onZoomChange,
  onFail,
  handle,
}: {
  src: string;
  alt: string;
  onZoomChange?: (p: number | null) => void;
  onFail: () => void;
  handle?: Ref<ViewerHandle>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const [view, setView] = useState<View | null>(null);
  // The view for the stable callbacks below (wheel listener, imperative handle): kept in step after each commit.
  const viewRef = useRef(view);
  useLayoutEffect(() => {
    viewRef.current = view;
  }, [view]);
  const drag = useRef<{ id: number; x: number; y: number; vx: number; vy: number } | null>(null);
  const [dragging, setDragging] = useState(false);

  const fitView = useCallback((): View | null => {
    const el = box.current;
    return el && natural ? fitIn(el, natural) : null;
  }, [natural]);

  const zoomAt = useCallback((factor: number, px?: number, py?: number) => {
    const el = box.current;
    const v = viewRef.current;
    if (!el || !v) return;
    const cx = px ?? el.clientWidth / 2;
    const cy = py ?? el.clientHeight / 2;
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
    const k = scale / v.scale;
    setView({ scale, x: cx - (cx - v.x) * k, y: cy - (cy - v.y) * k });
  }, []);

  const actual = useCallback(() => {
    const v = viewRef.current;
    if (v) zoomAt(1 / v.scale);
  }, [zoomAt]);

  // Keep the picture fitted when the pane changes size (window resized) and it was fitted.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let last = { w: el.clientWidth, h: el.clientHeight };
    const ro = new ResizeObserver(() => {
      const now = { w: el.clientWidth, h: el.clientHeight };
      if (now.w === last.w && now.h === last.h) return;
      last = now;
      setView((v) => (v ? (fitView() ?? v) : v));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [fitView]);

  useEffect(() => {
    onZoomChange?.(view ? Math.round(view.scale * 100) : null);
  }, [view, onZoomChange]);
  useEffect(() => () => onZoomChange?.(null), [onZoomChange]);

  useImperativeHandle(
    handle,
    () => ({
      zoomIn: () => zoomAt(STEP),
      zoomOut: () => zoomAt(1 / STEP),
      fit: () => setView(fitView()),
      actual,
    }),
    [zoomAt, fitView, actual],
  );

  // React's wheel listener is passive; zooming must stop the page from scrolling.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      zoomAt(Math.exp(-delta * 0.0015), e.clientX - r.left, e.clientY - r.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const v = viewRef.current;
    if (!v || e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, vx: v.x, vy: v.y };
    setDragging(true);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    const v = viewRef.current;
    if (!d || !v || d.id !== e.pointerId) return;
    setView({ scale: v.scale, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y });
  };
  const endDrag = (e: React.PointerEvent<HTMLDivElement>) => {
    if (drag.current?.id !== e.pointerId) return;
    drag.current = null;
    setDragging(false);
  };
  const onDoubleClick = (e: React.MouseEvent<HTMLDivElement>) => {
    const v = viewRef.current;
    const fitted = fitView();
    if (!v || !fitted) return;
    const r = e.currentTarget.getBoundingClientRect();
    if (Math.abs(v.scale - fitted.scale) < 0.01 && fitted.scale < 1) zoomAt(1 / v.scale, e.clientX - r.left, e.clientY - r.top);
    else setView(fitted);
  };

  return (
    <div
      ref={box}
      className="ev-viewer ev-zoompan"
      data-testid="evidence-viewer"
      data-kind="image"
      data-zoom={view ? Math.round(view.scale * 100) : undefined}
      data-dragging={dragging || undefined}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
      onDoubleClick={onDoubleClick}
    >
      <img
        src={src}
        alt={alt}
        draggable={false}
        decoding="async"
        data-testid="viewer-image"
        onLoad={(e) => {
          // Loaded: the picture starts fitted to the pane.
          const size = { w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight };
          setNatural(size);
          setView(box.current ? fitIn(box.current, size) : null);
        }}
        onError={onFail}
        style={{
          transform: view ? `translate(${view.x}px, ${view.y}px) scale(${view.scale})` : undefined,
          visibility: view ? 'visible' : 'hidden',
          imageRendering: view && view.scale >= 3 ? 'pixelated' : undefined,
        }}
      />
    </div>
  );
}
