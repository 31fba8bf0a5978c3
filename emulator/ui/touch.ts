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
// review's Confirm). Stax follows our Speculos 0.27.1 recordings exactly (STAX below); Apex P is scaled
// from Flex: no recorded screens.

import type { DeviceModel } from '../../devices/models.ts';
import type { AppHome } from '../app.ts';
import type { Renderer, ReviewScreens } from './renderer.ts';
import type { ReviewFlow, ReviewPair, StreamingReviewStep, WarningPage } from './review.ts';
import type { Screen, TextEvent, TouchRegion } from './screen.ts';
import { textWidth, wrapText, type Font } from './text.ts';

export interface TouchFonts {
  /** Items, footer, buttons, "Swipe to review". */
  small: Font;
  /** Values, intro, finish and status texts. */
  large: Font;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
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
  /**
   * How a centred text's x is rounded: 'round' for Flex and Apex P (the corpus's ink boxes), 'floor'
   * for Stax (NBGL's integer layout, x the text's start, as Speculos 0.27.1 reports it).
   */
  centring: 'round' | 'floor';
  /** Intro page: the icon's height with its gap above the text, and the gap before "Swipe to …". */
  introIcon: number;
  introGap: number;
  /** Section page: the bottom of its text, and the y of its "Swipe to review". */
  sectionBottom: number;
  sectionSwipeY: number;
  /** Centre lines of the finish text (above an Approve button / a "Hold to sign"), the reject question and status texts. */
  finishCentre: number;
  holdFinishCentre: number;
  questionCentre: number;
  statusCentre: number;
  /** y of footer texts, and of the reject question's "Go back to …" footer. */
  footerTextY: number;
  goBackY: number;
  /** Height Speculos reports for a button's label (and the "Go back to …" footer). */
  labelHeight: number;
  approveBox: Box;
  holdLabelY: number;
  rejectBox: Box;
  /** The address review's Confirm button, right of the QR-code button. */
  addressBox: Box;
}

/**
 * Flex's numbers (scaled for Apex P by its footer's top): the corpus's ink boxes. The finish text,
 * buttons and footer were placed from the corpus and our Flex recordings (see the file comment).
 */
function flexLike(width: number, height: number, margin: number, footerTop: number, lines: Pick<TouchGeometry, 'firstItemY' | 'smallLine' | 'largeLine' | 'itemToValue' | 'pairGap'>): TouchGeometry {
  const s = footerTop / 504;
  const at = (v: number): number => Math.round(v * s);
  const centred = (centre: number, h: number): Box => ({ x: margin, y: Math.round(centre - h / 2), w: width - 2 * margin, h });
  const approveBox = centred(footerTop - at(66), at(80));
  const addressH = at(88);
  return {
    width, height, margin, footerTop, ...lines,
    centring: 'round',
    introIcon: at(122), introGap: lines.pairGap,
    sectionBottom: at(254), sectionSwipeY: at(332),
    finishCentre: at(226), holdFinishCentre: at(226), questionCentre: at(272), statusCentre: Math.round(height * 0.577),
    footerTextY: footerTop + Math.round((height - footerTop - lines.smallLine) / 2) - 2,
    goBackY: footerTop + Math.round((height - footerTop - lines.smallLine) / 2) - 2,
    labelHeight: lines.smallLine,
    approveBox,
    holdLabelY: approveBox.y + Math.round((approveBox.h - lines.largeLine) / 2),
    rejectBox: centred(footerTop - at(42), at(72)),
    addressBox: { x: at(136), y: footerTop - at(24) - addressH, w: width - margin - at(136), h: addressH },
  };
}

/**
 * Stax, measured on Speculos 0.27.1 with the Bitcoin Test 2.4.6 app (test/vectors/speculos-local/stax):
 * item 36 px above its value, value lines 40 px, 12 px between pairs, footer texts at y 610; button
 * labels at y 504 (Approve, Confirm) and 528 (Yes, reject), "Hold to sign" at 496.
 */
const STAX: TouchGeometry = {
  width: 400, height: 672, margin: 24, footerTop: 576,
  firstItemY: 56, smallLine: 32, largeLine: 40, itemToValue: 4, pairGap: 12,
  centring: 'floor',
  introIcon: 116, introGap: 24,
  sectionBottom: 290, sectionSwipeY: 362,
  finishCentre: 274, holdFinishCentre: 270, questionCentre: 312, statusCentre: 380,
  footerTextY: 610, goBackY: 612, labelHeight: 32,
  approveBox: { x: 24, y: 480, w: 352, h: 80 },
  holdLabelY: 496,
  rejectBox: { x: 24, y: 504, w: 352, h: 80 },
  addressBox: { x: 120, y: 480, w: 256, h: 80 },
};

function geometry(model: DeviceModel): TouchGeometry {
  const { width, height } = model.screen;
  if (model.id === 'flex') return flexLike(width, height, 32, 504, { firstItemY: 44, smallLine: 32, largeLine: 40, itemToValue: 6, pairGap: 26 });
  if (model.id === 'stax') return STAX;
  return flexLike(width, height, 16, 344, { firstItemY: 24, smallLine: 20, largeLine: 26, itemToValue: 4, pairGap: 16 });
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
    bodies.push(...this.pairBodies(flow.pairs, address ? this.g.addressBox.y : this.g.footerTop));
    if (address) {
      const last = bodies[bodies.length - 1]!;
      const box = this.g.addressBox;
      bodies[bodies.length - 1] = { ...last, trailing: this.button(flow.finish.button ?? flow.finish.text, box), regions: [{ ...box, action: 'approve' }], filled: [box] };
    } else bodies.push(this.finish(flow));
    const total = bodies.length;
    // The address review's "Cancel" rejects at once; the others ask first ("Reject transaction?").
    const footer = address ? { label: 'Cancel', action: 'reject' as const } : { label: 'Reject', action: 'ask-reject' as const };
    const pages = bodies.map((body, i) => this.withFooter(body, i, total, footer));
    if (address) return { pages };
    return { pages, rejectConfirm: this.rejectConfirmFor(flow.reject) };
  }

  // NBGL's streaming review on a touch device: each step is its own run of pages with the Reject
  // footer; tapping "next" on the last page of `start` / `pairs` continues (the app then reads more).
  reviewStreaming(step: StreamingReviewStep): ReviewScreens {
    const footer = { label: 'Reject', action: 'ask-reject' as const };
    if (step.kind === 'finish') return { pages: [this.withFooter(this.finish(step.flow), 0, 1, footer)], rejectConfirm: this.rejectConfirmFor(step.flow.reject) };
    const bodies = step.kind === 'start' ? [this.intro(step.intro, 'Swipe to review')] : this.pairBodies(step.pairs, this.g.footerTop);
    const pages = bodies.map((body, i) => this.withFooter(body, i, bodies.length, footer, i === bodies.length - 1));
    return { pages, rejectConfirm: this.rejectConfirmFor(step.reject) };
  }

  private rejectConfirmFor(wording: string | undefined): Screen {
    const reject = wording ?? 'Reject';
    const goBack = reject === 'Reject' ? 'Go back' : `Go back to ${reject.replace(/^Reject /, '')}`;
    return this.rejectConfirm(`${reject}?`, goBack);
  }

  /** Pairs laid on as few pages as fit above `bottom`. */
  private pairBodies(pairs: readonly ReviewPair[], bottom: number): Screen[] {
    const bodies: Screen[] = [];
    let page: TextEvent[] = [];
    let y = this.g.firstItemY;
    const flush = (): void => {
      if (page.length > 0) bodies.push({ events: page });
      page = [];
      y = this.g.firstItemY;
    };
    for (const pair of pairs) {
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
    return bodies;
  }

  warning(page: WarningPage): Screen[] {
    const events = this.centred(this.fonts.large, page.title, this.g.footerTop * 0.4);
    if (page.text) events.push(...this.centred(this.fonts.small, page.text, this.g.footerTop * 0.4 + 60));
    const footer = this.centred(this.fonts.small, 'Reject', this.g.footerTextY);
    return [
      {
        events: [...events, ...this.button('Continue'), ...footer],
        regions: [this.buttonRegion('approve'), { x: 0, y: this.g.footerTop, w: this.g.width, h: this.g.height - this.g.footerTop, action: 'reject' }],
        filled: [this.g.approveBox],
      },
    ];
  }

  status(text: string): Screen {
    return { events: this.centred(this.fonts.large, text, this.g.statusCentre) };
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
          ...this.centred(this.fonts.small, 'Quit app', this.g.footerTextY),
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
    const icon = this.g.introIcon;
    const lines = wrapText(this.fonts.large, text, this.textWidth);
    const block = icon + lines.length * this.g.largeLine + this.g.introGap + this.g.smallLine;
    const top = Math.round((this.g.footerTop - block) / 2) + icon;
    const events = this.lines(this.fonts.large, lines, top, 'centre');
    const swipeY = top + lines.length * this.g.largeLine + this.g.introGap;
    events.push(...this.lines(this.fonts.small, [swipe], swipeY, 'centre', this.g.smallLine));
    return { events };
  }

  /** A section page (NBGL centeredInfo): the text lower than an intro's, "Swipe to review" further down. */
  private section(text: string): Screen {
    const lines = wrapText(this.fonts.large, text, this.textWidth);
    const events = this.lines(this.fonts.large, lines, this.g.sectionBottom - lines.length * this.g.largeLine, 'centre');
    events.push(...this.lines(this.fonts.small, ['Swipe to review'], this.g.sectionSwipeY, 'centre', this.g.smallLine));
    return { events };
  }

  /** The last page; its button comes after the footer in reading order (as Speculos reports it). */
  private finish(flow: Pick<ReviewFlow, 'finish'>): Screen & { trailing: TextEvent[] } {
    const hold = flow.finish.action === 'hold';
    const events = this.centred(this.fonts.large, flow.finish.text, hold ? this.g.holdFinishCentre : this.g.finishCentre);
    if (hold) return { events, trailing: this.lines(this.fonts.large, ['Hold to sign'], this.g.holdLabelY, 'left'), regions: [{ ...this.g.approveBox, action: 'approve', hold: true }] };
    return { events, trailing: this.button(flow.finish.button ?? 'Approve'), regions: [this.buttonRegion('approve')], filled: [this.g.approveBox] };
  }

  private rejectConfirm(question: string, goBack: string): Screen {
    const box = this.g.rejectBox;
    return {
      events: [
        ...this.centred(this.fonts.large, question, this.g.questionCentre),
        // Speculos reports the footer before the button, both as wide as their tap areas.
        ...this.lines(this.fonts.small, [goBack], this.g.goBackY, 'centre', this.g.smallLine).map((e) => ({ ...e, w: this.textWidth, h: this.g.labelHeight })),
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
    continues = false,
  ): Screen {
    const { width, height, footerTop } = this.g;
    const footerH = height - footerTop;
    const textY = this.g.footerTextY;
    const reject = this.lines(this.fonts.small, [footer.label], textY, Math.round(width * 0.2), this.g.smallLine);
    const indicator = this.lines(this.fonts.small, [`${index + 1} of ${total}`], textY, Math.round(width * 0.7), this.g.smallLine);
    const regions: TouchRegion[] = [...(body.regions ?? []), { x: 0, y: footerTop, w: Math.round(width * 0.4), h: footerH, action: footer.action }];
    if (index > 0) regions.push({ x: Math.round(width * 0.7), y: footerTop, w: Math.round(width * 0.1333), h: footerH, action: 'prev' });
    if (index < total - 1 || continues)
      regions.push({ x: Math.round(width * 0.8333), y: footerTop, w: width - Math.round(width * 0.8333), h: footerH, action: continues ? 'approve' : 'next' });
    const { trailing, ...screen } = body;
    return { ...screen, events: [...body.events, ...reject, ...indicator, ...(trailing ?? [])], regions };
  }

  /**
   * A button's label, centred in it. Speculos 0.27.1 reports the label's box from the text's start
   * but as wide as the button ("Approve" at x 182, w 416 on Flex).
   */
  private button(label: string, box: Box = this.g.approveBox): TextEvent[] {
    const centre = box.x + box.w / 2;
    return this.lines(this.fonts.small, [label], box.y + Math.round((box.h - this.g.smallLine) / 2), centre, this.g.smallLine).map((e) => ({ ...e, w: box.w, h: this.g.labelHeight }));
  }

  private buttonRegion(action: 'approve'): TouchRegion {
    return { ...this.g.approveBox, action };
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
      // 'floor' (Stax): the box ends before the delimiters a wrapped line ends with, and NBGL
      // centres the box itself
      const w = Math.max(0, (this.g.centring === 'floor' ? textWidth(font, text.replace(/[ _-]+$/, '')) : advance) - font.inkTrim);
      const x =
        this.g.centring === 'floor'
          ? align === 'left' ? this.g.margin : Math.floor((centre as number) - w / 2)
          : Math.round((align === 'left' ? this.g.margin : (centre as number) - advance / 2) + font.inkTrim / 2);
      return { text, x, y: top + i * step, w, h: font.height, clear: false };
    });
  }
}
