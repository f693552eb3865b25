/**
 * What each screen says, in the seed's own words where the seed has them (the product brief's
 * 「」 strings, verbatim), in short plain sentences elsewhere; docs/product.md quotes them all.
 * Pure: a ScreenView in, texts out.
 */
import { PROMPTS } from '../audio/prompts.js';
import { HINT_PROMPTS, PROBLEM_PROMPTS } from '../machine/machine.js';
import { isHint, type Hint } from '../vision/hints.js';
import type { IdentifyProblem } from '../machine/types.js';
import type { FieldValue, ScreenView } from './view.js';

export interface ScreenText {
  title: string;
  /** Body lines, in order; `big` lines are the one thing to do now (the action prompt). */
  lines: Array<{ text: string; big?: boolean; strong?: boolean; tone?: 'good' | 'bad' }>;
  /** 温馨提示 box at the bottom of the body. */
  tip: string | null;
  /** Special areas the renderer draws. */
  area: 'preview' | 'photo' | 'history' | null;
  /** A line drawn across the bottom of the picture area. */
  caption?: string;
}

export const TIPS = {
  service: '温馨提示:点击生存验证申请按钮开始进行离退休人员生存验证,点击生存验证历史按钮查看您的历年验证记录。',
  capture: '温馨提示：请将脸对准屏幕上方的摄像头，然后根据语音提示指引，做出相应动作，完成动作后请注视摄像头。',
  result: '温馨提示:请查看以上信息。',
} as const;

/** Each hint in a few big characters (the voice says the longer prompt, HINT_PROMPTS). */
export const HINT_TEXTS: Record<Hint, string> = {
  'multiple-faces': '只能有您一个人',
  'too-far': '请靠近一点',
  'too-close': '请离远一点',
  'off-centre-left': '请向右挪一点',
  'off-centre-right': '请向左挪一点',
  'off-centre-up': '请把脸往下移',
  'off-centre-down': '请把脸往上移',
  'too-dark': '光线太暗',
  'too-bright': '光线太亮',
  'turned-away': '请正对屏幕',
  'eyes-hidden': '请露出眼睛',
  blurred: '请保持不动',
};

const CAPTURE_TITLE = '请拍摄生存验证图片';
const ADJUST = '请调整摄像头位置，使摄像头可以完整地拍摄到您的脸';
const AUTO = '终端会自动进行拍摄，请在完成拍摄后提交验证申请。';

const DEVICE_NAMES: Record<string, string> = {
  idReader: '身份证读卡器',
  sscReader: '社保卡读卡器',
  barcode: '扫码器',
  camera: '摄像头',
  touch: '触摸屏',
  display: '显示屏',
  speaker: '扬声器',
  printer: '回执打印机',
  clock: '系统时间',
  storage: '存储空间',
};

const PROBLEM_TITLES: Record<string, string> = {
  'read-error': '读卡没有成功',
  'bad-id-number': '证件号码校验未通过',
  expired: '证件已过有效期',
  'unknown-token': '没有查到二维码信息',
  'unsupported-card': '这张卡暂时不能使用',
  'si-unavailable': '系统暂时无法连接',
};

const PRINTER_PROBLEMS: Record<string, string> = {
  'paper-out': '打印机缺纸',
  'cover-open': '打印机盖未关好',
  offline: '打印机未连接',
  timeout: '打印机没有响应',
  error: '打印机故障',
};

const CHANNELS: Record<string, string> = { terminal: '自助终端', counter: '服务窗口', mobile: '手机', 'home-visit': '上门' };
const RESULTS: Record<string, string> = { passed: '通过', review: '审核中', rejected: '未通过' };

/** 2026-08-02 → 2026年8月2日 */
export function chineseDate(iso: FieldValue | undefined): string {
  if (typeof iso !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** A prompt's text without its final full stop, for big on-screen instructions. */
function say(id: keyof typeof PROMPTS): string {
  return PROMPTS[id].replace(/。$/, '');
}

export function screenText(view: ScreenView): ScreenText {
  const f = view.fields;
  const t = (title: string, lines: ScreenText['lines'] = [], tip: string | null = null, area: ScreenText['area'] = null): ScreenText => ({ title, lines, tip, area });
  switch (view.screen) {
    case 'home': {
      const faults = Array.isArray(f.faults) ? f.faults.map((d) => DEVICE_NAMES[String(d)] ?? String(d)) : [];
      if (f.canServe === false) return t('设备维护中，暂停服务', [{ text: `${faults.join('、')}暂时不能使用。` }, { text: '请到服务窗口办理，给您带来不便，敬请谅解。' }]);
      const lines: ScreenText['lines'] = [{ text: '请点击下方按钮开始，或直接刷二代身份证。' }];
      if (faults.length) lines.push({ text: `${faults.join('、')}暂停使用。` });
      return t('市民之窗', lines);
    }
    case 'identify':
      if (view.mode === 'barcode') {
        if (f.barcode === false) return t('扫码器暂停使用', [{ text: '请点击「上一步」，刷身份证或插入社保卡。' }]);
        return t('请扫描电子社保卡二维码', [{ text: '请将手机上的二维码对准下方扫描口。' }]);
      }
      return t('请刷二代身份证', [
        { text: f.idReader === false ? '身份证读卡器暂停使用。' : '请将身份证平放在下方感应区。' },
        { text: f.sscReader === false ? '社保卡读卡器暂停使用。' : '也可以插入社会保障卡。' },
      ]);
    case 'identifyProblem': {
      const p = String(f.problem);
      return t(PROBLEM_TITLES[p] ?? '读卡没有成功', [{ text: PROMPTS[PROBLEM_PROMPTS[p as IdentifyProblem] ?? 'identify.read_error'] }]);
    }
    case 'resolvingToken':
    case 'checking':
      return t('正在查询，请稍候…', [{ text: view.screen === 'checking' ? '正在查询您的验证信息。' : '正在查询二维码信息。' }]);
    case 'confirm':
      return t('欢迎使用市民之窗服务终端系统！', [
        { text: `姓名：${view.private.name ?? String(f.name ?? '')}`, strong: true },
        { text: `性别：${f.gender === 'male' ? '男' : f.gender === 'female' ? '女' : ''}`, strong: true },
        { text: `身份证号：${String(f.idNumber ?? '')}`, strong: true },
        { text: '请核对以上信息，无误后请点击「进入」。' },
      ]);
    case 'siProblem':
      return t('系统暂时无法连接', [{ text: PROMPTS['si.unavailable'] }]);
    case 'notEligible': {
      const id = f.status === 'not-retiree' ? 'not_eligible.not_retiree' : f.status === 'unknown-person' ? 'not_eligible.unknown_person' : 'not_eligible.counter';
      return t('暂时不能办理', [{ text: PROMPTS[id] }]);
    }
    case 'service': {
      const lines: ScreenText['lines'] = [];
      if (f.queuedOn) lines.push({ text: `您的验证已于${chineseDate(f.queuedOn)}保存在本机，网络恢复后自动提交，无需重复办理。`, strong: true });
      else if (f.alreadyVerified) lines.push({ text: `您已于${chineseDate(f.verifiedOn)}完成本年度验证。`, strong: true });
      return t('请选择服务功能', lines, TIPS.service);
    }
    case 'attemptsExceeded':
      return t(f.limit === 'session' ? '本次验证次数已用完' : '今天的验证次数已用完', [
        { text: PROMPTS[f.limit === 'session' ? 'attempts.exceeded_session' : 'attempts.exceeded'] },
      ]);
    case 'history':
      if (view.mode === 'loading') return t('生存验证历史', [{ text: '正在查询，请稍候…' }]);
      if (view.mode === 'failed') return t('生存验证历史', [{ text: PROMPTS['history.failed'] }]);
      return t('生存验证历史', Array.isArray(f.records) && f.records.length ? [] : [{ text: '暂无验证记录。' }], null, 'history');
    case 'consent':
      return t('拍摄前请您阅读', [
        { text: '本次生存验证需要拍摄您的面部照片。' },
        { text: '照片仅用于本次生存验证，提交社保系统后即从本机删除。' },
        { text: '如不同意，可到服务窗口由工作人员办理。' },
      ]);
    case 'consentDeclined':
      return t('您可以到服务窗口办理', [{ text: PROMPTS['consent.declined'] }]);
    case 'capture': {
      const action = typeof f.action === 'string' ? (`action.${f.action}` as keyof typeof PROMPTS) : null;
      const now = view.mode === 'acting' && action && action in PROMPTS ? say(action) : view.mode === 'framing' ? '请注视摄像头' : '请将脸对准摄像头';
      const lines: ScreenText['lines'] = [{ text: now, big: true }];
      // What to fix now, as big as the instruction: the one thing between the person and the photo.
      if (isHint(f.hint)) lines.push({ text: HINT_TEXTS[f.hint], big: true, tone: 'bad' });
      if (view.mode === 'acting') lines.push({ text: `第${String(f.step)}个动作，共${String(f.of)}个` });
      const notice = f.notice === 'try-again' ? PROMPTS['capture.try_again'] : f.notice === 'face-lost' ? PROMPTS['capture.face_lost'] : f.notice === 'multiple-faces' ? PROMPTS['capture.one_person'] : null;
      if (notice) lines.push({ text: notice, strong: true, tone: 'bad' });
      lines.push({ text: AUTO });
      return { ...t(CAPTURE_TITLE, lines, TIPS.capture, 'preview'), caption: ADJUST };
    }
    case 'cameraProblem':
      return t('摄像头暂时不能使用', [{ text: f.cameraOk === false ? '摄像头未连接，请到服务窗口办理。' : PROMPTS['capture.camera_problem'] }]);
    case 'captureFailed': {
      const why = f.failure === 'no-face' ? (isHint(f.hint) ? '没有对准摄像头。' : '没有看到您的脸。') : f.failure === 'unsteady' ? PROMPTS['capture.unsteady'] : '动作没有在规定时间内完成。';
      const lines: ScreenText['lines'] = [{ text: why }];
      // The last thing the person was told to fix stays on screen: it is most likely why.
      if (isHint(f.hint)) lines.push({ text: `提示：${PROMPTS[HINT_PROMPTS[f.hint]]}`, strong: true, tone: 'bad' });
      const newSet = f.failure === 'action-timeout' || f.failure === 'unsteady';
      const next = !f.attemptsLeft ? '验证次数已用完，请到服务窗口办理。' : newSet ? '您可以点击「换一组动作」再试一次。' : '您可以点击「重试」再做一次。';
      // After repeated failures, a person nearby helps more than another try alone.
      return t('这次没有完成验证', [...lines, { text: next }, { text: '如需帮助，请联系大厅工作人员，或到服务窗口办理。', strong: true }]);
    }
    case 'captured':
      return { ...t(CAPTURE_TITLE, [{ text: '拍摄完成，请点击「提交」。', strong: true }], TIPS.capture, 'photo'), caption: AUTO };
    case 'submitting':
      return t('正在提交，请稍候…', [{ text: '请不要离开，马上就好。' }]);
    case 'printing':
      return t('正在打印回执，请稍候…', [{ text: '回执将从下方出纸口打出。' }]);
    case 'result': {
      const lines: ScreenText['lines'] = [];
      const outcome = String(f.outcome);
      // A short verdict in big type, then what it means in plain words.
      const verdict: Record<string, string> = {
        accepted: '验证成功。',
        review: '已提交，待人工审核。',
        queued: '验证已保存。',
        rejected: '验证没有通过。',
        'already-verified': '本年度已验证。',
        failed: '提交没有成功。',
      };
      const detail: Record<string, string> = {
        review: PROMPTS['result.review'],
        queued: '网络恢复后系统自动提交，无需重复办理。',
        rejected: PROMPTS['result.rejected'],
        'already-verified': `您已于${chineseDate(f.verifiedOn)}完成本年度验证。`,
        failed: PROMPTS['result.failed'],
      };
      const good = outcome === 'accepted' || outcome === 'review' || outcome === 'queued' || outcome === 'already-verified';
      lines.push({ text: verdict[outcome] ?? '', big: true, tone: good ? 'good' : 'bad' });
      if (detail[outcome]) lines.push({ text: detail[outcome]! });
      const number = typeof f.receiptNo === 'string' ? f.receiptNo : null;
      if (f.printed === true) lines.push({ text: `回执打印成功，请取走回执。${number ? `回执号：${number}` : ''}`, strong: true });
      else if (f.printed === false) {
        const why = PRINTER_PROBLEMS[String(f.printerProblem)] ?? '打印机故障';
        lines.push({ text: `回执没有打印出来（${why}）${number ? `，请记下回执号：${number}` : '。'}`, strong: true, tone: 'bad' });
      } else if (number) lines.push({ text: `回执号：${number}` });
      return t('提交结果', lines, TIPS.result);
    }
  }
}

/** The history table's rows, formatted. */
export function historyRows(view: ScreenView): string[][] {
  const records = Array.isArray(view.fields.records) ? view.fields.records : [];
  return records.map((r) => {
    const rec = r as Record<string, FieldValue>;
    return [String(rec.year), chineseDate(rec.verifiedOn), CHANNELS[String(rec.channel)] ?? '', RESULTS[String(rec.result)] ?? ''];
  });
}

export const OVERLAY_TEXT = {
  help: {
    title: '帮助',
    lines: [
      '如需帮助，请联系大厅工作人员。',
      '每一步都可以点击「上一步」返回，或点击「返回首页」重新开始。',
      '屏幕右下角显示剩余时间，时间到后自动返回首页。',
    ],
  },
  instructions: {
    title: '操作说明',
    lines: [
      '1. 将二代身份证平放在感应区，或插入社会保障卡。',
      '2. 核对姓名和证件号码，点击「进入」。',
      '3. 点击「生存验证申请」，阅读说明后点击「同意并开始」。',
      '4. 面对摄像头，按语音提示做动作，终端自动拍照。',
      '5. 点击「提交」，取走回执。',
    ],
  },
  qr: { title: '扫描二维码', lines: ['用手机扫描下方二维码，也可以在手机上办理。'] },
} as const;
