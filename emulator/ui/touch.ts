// Flex (480x600), Stax (400x672) and Apex P (300x400) screens, laid out as NBGL's touch use cases:
// an intro page ending in "Swipe to review"; then pages packing as many pairs as fit above the footer
// (item in the small font, value in the large one, left-aligned); a last page with the finish text and
// an "Approve" button or a "Hold to sign" long press. Every page has the footer "Reject" (which asks
// "Reject …?" with a "Yes, reject" button and "Go back to …") and "k of N" with back / next arrows at
// its right. The address review (nbgl_useCaseAddressReview) differs: "Swipe to continue", a "Cancel"
// footer that rejects at once, and its "Confirm" button on the last page of pairs.
//
// Flex geometry follows the corpus and our Speculos 0.27.1 recordings (margins x = 32, item 32 px + 6,
// value lines 40 px, 26 px between pairs, footer from y = 504; tap targets (430,550) next, (239,438)
// Approve, (136,430) Hold to sign, (96,554) Reject, (239,462) Yes, reject, (292,436) the address
// review's Confirm). Stax and Apex P are scaled from it: no recorded screens.

import type { DeviceModel } from '../../devices/models.ts';
import type { AppHome } from '../app.ts';
import type { Renderer, ReviewScreens } from './renderer.ts';
import type { ReviewFlow, ReviewPair, WarningPage } from './review.ts';
import type { Screen, TextEvent, TouchRegion } from './screen.ts';
import { textWidth, wrapText, type Font } from './text.ts';

export interface TouchFonts {
  /** Items, footer, buttons, "Swipe to review". */
  small: Font;
  /** Values, intro, finish and status texts. */
  large: Font;
}

interface TouchGeometry {
  width: number;
  height: number;
  margin: number;
  /** Top of the footer; page content ends above it. */
  footerTop: number;
  firstItemY: number;
  smallLine: number;
  largeLine: number;
  itemToValue: number;
  pairGap: number;
}

function geometry(model: DeviceModel): TouchGeometry {
  const { width, height } = model.screen;
  if (model.id === 'flex')
    return { width, height, margin: 32, footerTop: 504, firstItemY: 44, smallLine: 32, largeLine: 40, itemToValue: 6, pairGap: 26 };
  if (model.id === 'stax')
    return { width, height, margin: 24, footerTop: 576, firstItemY: 40, smallLine: 32, largeLine: 40, itemToValue: 6, pairGap: 24 };
  return { width, height, margin: 16, footerTop: 344, firstItemY: 24, smallLine: 20, largeLine: 26, itemToValue: 4, pairGap: 16 };
}

export class TouchRenderer implements Renderer {
  private readonly g: TouchGeometry;
  private readonly textWidth: number;

  constructor(
    model: DeviceModel,
    private readonly fonts: TouchFonts,
  ) {
    this.g = geometry(model);
    this.textWidth = this.g.width - 2 * this.g.margin;
  }

  review(flow: ReviewFlow): ReviewScreens {
    const address = flow.useCase === 'address';
    const bodies: (Screen & { trailing?: TextEvent[] })[] = [this.intro(flow.intro, address ? 'Swipe to continue' : 'Swipe to review')];
    // An address review's last page of pairs also carries the Confirm button: its pairs end above it.
    const bottom = address ? this.addressButtonBox().y : this.g.footerTop;
    let page: TextEvent[] = [];
    let y = this.g.firstItemY;
    const flush = (): void => {
      if (page.length > 0) bodies.push({ events: page });
      page = [];
      y = this.g.firstItemY;
    };
    for (const pair of flow.pairs) {
      if (pair.centered) {
        flush();
        bodies.push(this.section(pair.item));
        continue;
      }
      if (pair.forcePageStart) flush();
      let laid = this.layPair(pair, y);
      if (laid.bottom > bottom && page.length > 0) {
        flush();
        laid = this.layPair(pair, y);
      }
      // A value taller than a page continues on the next pages (NBGL would offer "More").
      while (laid.bottom > bottom) {
        const fit = laid.events.filter((e) => e.y + this.g.largeLine <= bottom);
        bodies.push({ events: fit });
        const rest = laid.events.slice(fit.length).map((e) => e.text);
        laid = this.layValueLines(rest, this.g.firstItemY);
      }
      page.push(...laid.events);
      y = laid.bottom + this.g.pairGap;
    }
    flush();
    if (address) {
      const last = bodies[bodies.length - 1]!;
      const box = this.addressButtonBox();
      bodies[bodies.length - 1] = { ...last, trailing: this.button(flow.finish.button ?? flow.finish.text, box), regions: [{ ...box, action: 'approve' }], filled: [box] };
    } else bodies.push(this.finish(flow));
    const total = bodies.length;
    // The address review's "Cancel" rejects at once; the others ask first ("Reject transaction?").
    const footer = address ? { label: 'Cancel', action: 'reject' as const } : { label: 'Reject', action: 'ask-reject' as const };
    const pages = bodies.map((body, i) => this.withFooter(body, i, total, footer));
    if (address) return { pages };
    const reject = flow.reject ?? 'Reject';
    const goBack = reject === 'Reject' ? 'Go back' : `Go back to ${reject.replace(/^Reject /, '')}`;
    return { pages, rejectConfirm: this.rejectConfirm(`${reject}?`, goBack) };
  }

  warning(page: WarningPage): Screen[] {
    const events = this.centred(this.fonts.large, page.title, this.g.footerTop * 0.4);
    if (page.text) events.push(...this.centred(this.fonts.small, page.text, this.g.footerTop * 0.4 + 60));
    const footer = this.centred(this.fonts.small, 'Reject', this.footerTextY());
    return [
      {
        events: [...events, ...this.button('Continue'), ...footer],
        regions: [this.buttonRegion('approve'), { x: 0, y: this.g.footerTop, w: this.g.width, h: this.g.height - this.g.footerTop, action: 'reject' }],
        filled: [this.buttonBox()],
      },
    ];
  }

  status(text: string): Screen {
    return { events: this.centred(this.fonts.large, text, Math.round(this.g.height * 0.577)) };
  }

  busy(text: string): Screen {
    return { events: this.centred(this.fonts.large, text, Math.round(this.g.height / 2)) };
  }

  // nbgl_useCaseHomeAndSettings on a touch device: title, the app's tagline, "Quit app" in the footer.
  appHome(home: AppHome, _version: string): Screen[] {
    return [
      {
        events: [
          ...this.centred(this.fonts.large, home.title, Math.round(this.g.footerTop * 0.45)),
          ...this.centred(this.fonts.small, home.tagline, Math.round(this.g.footerTop * 0.45) + 60),
          ...this.centred(this.fonts.small, 'Quit app', this.footerTextY()),
        ],
        regions: [{ x: 0, y: this.g.footerTop, w: this.g.width, h: this.g.height - this.g.footerTop, action: 'quit' }],
      },
    ];
  }

  dashboard(appNames: readonly string[]): Screen[] {
    const events: TextEvent[] = [];
    const regions: TouchRegion[] = [];
    appNames.forEach((name, i) => {
      const y = this.g.firstItemY + i * (this.g.largeLine + this.g.pairGap);
      events.push(...this.lines(this.fonts.large, [name], y, 'centre'));
      regions.push({ x: 0, y: y - this.g.pairGap / 2, w: this.g.width, h: this.g.largeLine + this.g.pairGap, action: `open:${name}` });
    });
    if (appNames.length === 0) events.push(...this.centred(this.fonts.large, 'No apps installed', this.g.height / 2));
    return [{ events, regions }];
  }

  locked(): Screen {
    return { events: this.centred(this.fonts.large, 'Device locked', Math.round(this.g.height / 2)) };
  }

  private intro(text: string, swipe: string): Screen {
    // NBGL centres the icon (with its gap, 122 px on Flex), the text and "Swipe to review" above the footer.
    const icon = Math.round((122 * this.g.footerTop) / 504);
    const lines = wrapText(this.fonts.large, text, this.textWidth);
    const block = icon + lines.length * this.g.largeLine + this.g.pairGap + this.g.smallLine;
    const top = Math.round((this.g.footerTop - block) / 2) + icon;
    const events = this.lines(this.fonts.large, lines, top, 'centre');
    const swipeY = top + lines.length * this.g.largeLine + this.g.pairGap;
    events.push(...this.lines(this.fonts.small, [swipe], swipeY, 'centre', this.g.smallLine));
    return { events };
  }

  /** A section page (NBGL centeredInfo): the text lower than an intro's, "Swipe to review" further down. */
  private section(text: string): Screen {
    const lines = wrapText(this.fonts.large, text, this.textWidth);
    const bottom = Math.round((254 * this.g.footerTop) / 504);
    const events = this.lines(this.fonts.large, lines, bottom - lines.length * this.g.largeLine, 'centre');
    events.push(...this.lines(this.fonts.small, ['Swipe to review'], Math.round((332 * this.g.footerTop) / 504), 'centre', this.g.smallLine));
    return { events };
  }

  /** The last page; its button comes after the footer in reading order (as Speculos reports it). */
  private finish(flow: ReviewFlow): Screen & { trailing: TextEvent[] } {
    const centre = Math.round((226 * this.g.footerTop) / 504);
    const events = this.centred(this.fonts.large, flow.finish.text, centre);
    if (flow.finish.action === 'hold') {
      const box = this.buttonBox();
      const y = box.y + Math.round((box.h - this.g.largeLine) / 2);
      return { events, trailing: this.lines(this.fonts.large, ['Hold to sign'], y, 'left'), regions: [{ ...box, action: 'approve', hold: true }] };
    }
    return { events, trailing: this.button(flow.finish.button ?? 'Approve'), regions: [this.buttonRegion('approve')], filled: [this.buttonBox()] };
  }

  private rejectConfirm(question: string, goBack: string): Screen {
    const box = this.rejectBox();
    return {
      events: [
        ...this.centred(this.fonts.large, question, Math.round((272 * this.g.footerTop) / 504)),
        // Speculos reports the footer before the button, both as wide as their tap areas.
        ...this.lines(this.fonts.small, [goBack], this.footerTextY(), 'centre', this.g.smallLine).map((e) => ({ ...e, w: this.textWidth })),
        ...this.button('Yes, reject', box),
      ],
      regions: [{ ...box, action: 'reject' }, { x: 0, y: this.g.footerTop, w: this.g.width, h: this.g.height - this.g.footerTop, action: 'cancel-reject' }],
      filled: [box],
    };
  }

  private layPair(pair: ReviewPair, top: number): { events: TextEvent[]; bottom: number } {
    const items = wrapText(this.fonts.small, pair.item, this.textWidth);
    const events = this.lines(this.fonts.small, items, top, 'left', this.g.smallLine);
    const value = this.layValueLines(wrapText(this.fonts.large, pair.value, this.textWidth), top + items.length * this.g.smallLine + this.g.itemToValue);
    return { events: [...events, ...value.events], bottom: value.bottom };
  }

  private layValueLines(lines: string[], top: number): { events: TextEvent[]; bottom: number } {
    return { events: this.lines(this.fonts.large, lines, top, 'left'), bottom: top + lines.length * this.g.largeLine };
  }

  private withFooter(
    body: Screen & { trailing?: TextEvent[] },
    index: number,
    total: number,
    footer: { label: string; action: 'reject' | 'ask-reject' },
  ): Screen {
    const { width, height, footerTop } = this.g;
    const footerH = height - footerTop;
    const textY = this.footerTextY();
    const reject = this.lines(this.fonts.small, [footer.label], textY, Math.round(width * 0.2), this.g.smallLine);
    const indicator = this.lines(this.fonts.small, [`${index + 1} of ${total}`], textY, Math.round(width * 0.7), this.g.smallLine);
    const regions: TouchRegion[] = [...(body.regions ?? []), { x: 0, y: footerTop, w: Math.round(width * 0.4), h: footerH, action: footer.action }];
    if (index > 0) regions.push({ x: Math.round(width * 0.7), y: footerTop, w: Math.round(width * 0.1333), h: footerH, action: 'prev' });
    if (index < total - 1) regions.push({ x: Math.round(width * 0.8333), y: footerTop, w: width - Math.round(width * 0.8333), h: footerH, action: 'next' });
    const { trailing, ...screen } = body;
    return { ...screen, events: [...body.events, ...reject, ...indicator, ...(trailing ?? [])], regions };
  }

  private footerTextY(): number {
    return this.g.footerTop + Math.round((this.g.height - this.g.footerTop - this.g.smallLine) / 2) - 2;
  }

  private buttonBox(): { x: number; y: number; w: number; h: number } {
    const centre = this.g.footerTop - Math.round((66 * this.g.footerTop) / 504);
    const h = Math.round((80 * this.g.footerTop) / 504);
    return { x: this.g.margin, y: centre - h / 2, w: this.textWidth, h };
  }

  private rejectBox(): { x: number; y: number; w: number; h: number } {
    const centre = this.g.footerTop - Math.round((42 * this.g.footerTop) / 504);
    const h = Math.round((72 * this.g.footerTop) / 504);
    return { x: this.g.margin, y: centre - h / 2, w: this.textWidth, h };
  }

  /** The address review's Confirm button: right of the QR-code button, beside it above the footer. */
  private addressButtonBox(): { x: number; y: number; w: number; h: number } {
    const s = this.g.footerTop / 504;
    const h = Math.round(88 * s);
    const x = Math.round(136 * s);
    return { x, y: this.g.footerTop - Math.round(24 * s) - h, w: this.g.width - this.g.margin - x, h };
  }

  /**
   * A button's label, centred in it. Speculos 0.27.1 reports the label's box from the text's start
   * but as wide as the button ("Approve" at x 182, w 416 on Flex).
   */
  private button(label: string, box = this.buttonBox()): TextEvent[] {
    const centre = box.x + box.w / 2;
    return this.lines(this.fonts.small, [label], box.y + Math.round((box.h - this.g.smallLine) / 2), centre, this.g.smallLine).map((e) => ({ ...e, w: box.w }));
  }

  private buttonRegion(action: 'approve'): TouchRegion {
    return { ...this.buttonBox(), action };
  }

  /** Wrapped lines centred horizontally, their block centred vertically on `centre`. */
  private centred(font: Font, text: string, centre: number): TextEvent[] {
    const step = font === this.fonts.small ? this.g.smallLine : this.g.largeLine;
    const lines = wrapText(font, text, this.textWidth);
    return this.lines(font, lines, Math.round(centre - (lines.length * step) / 2), 'centre', step);
  }

  /** `align`: 'left' (at the margin), 'centre' (of the screen), or the x of the lines' centre. */
  private lines(font: Font, lines: string[], top: number, align: 'left' | 'centre' | number, step = this.g.largeLine): TextEvent[] {
    return lines.map((text, i) => {
      const advance = textWidth(font, text);
      const centre = align === 'centre' ? this.g.width / 2 : align;
      const x = Math.round((align === 'left' ? this.g.margin : (centre as number) - advance / 2) + font.inkTrim / 2);
      return { text, x, y: top + i * step, w: Math.max(0, advance - font.inkTrim), h: font.height, clear: false };
    });
  }
}
