/**
 * Every voice prompt the terminal can say, by id, with its Mandarin text. The machine emits ids;
 * the speaker port turns an id into sound (a recorded WAV per id, or synthesised text).
 * Phrasing is short and plain for elderly listeners.
 */
export const PROMPTS = {
  'identify.tap_card': '请刷二代身份证，或插入社会保障卡。',
  'identify.insert_ssc': '身份证读卡器暂停使用，请插入社会保障卡，或扫描电子社保卡。',
  'identify.scan_barcode': '请将电子社保卡二维码对准扫描口。',
  'identify.read_error': '读卡没有成功，请重新刷卡或重新扫描。',
  'identify.bad_id_number': '证件号码校验未通过，请到服务窗口办理。',
  'identify.expired': '您的证件已过有效期，请使用有效证件。',
  'identify.unknown_token': '没有查到这个二维码的信息，请刷身份证。',
  'identify.si_unavailable': '系统暂时无法连接，请稍后再试。',
  'identify.unsupported_card': '这张卡暂时不能使用，请刷二代身份证。',
  'identify.wait': '正在查询，请稍候。',
  'confirm.check_info': '请核对您的信息，无误后请点击进入。',
  'checking.wait': '正在查询您的验证信息，请稍候。',
  'si.unavailable': '系统暂时无法连接，请稍后重试，或到服务窗口办理。',
  'service.choose': '请选择服务功能。',
  'service.already_verified': '您已完成本年度生存验证，无需重复办理。',
  'service.queued': '您的验证已保存在本机，网络恢复后会自动提交，无需重复办理。',
  'not_eligible.not_retiree': '系统中没有您的离退休待遇信息，请到服务窗口咨询。',
  'not_eligible.unknown_person': '系统中没有查到您的信息，请到服务窗口咨询。',
  'not_eligible.counter': '您的业务需要到服务窗口办理。',
  'history.show': '这是您的历年验证记录。',
  'history.failed': '验证记录暂时查不到，请稍后重试。',
  'attempts.exceeded': '您今天的验证次数已用完，请明天再来，或到服务窗口办理。',
  'attempts.exceeded_session': '本次验证次数已用完，请返回首页重新开始，或到服务窗口办理。',
  'consent.ask': '验证需要拍摄您的面部照片，仅用于本次生存验证。同意请点击同意并开始。',
  'consent.declined': '您可以到服务窗口由工作人员办理生存验证。',
  'capture.face_camera': '请将脸对准屏幕上方的摄像头。',
  'capture.try_again': '没有看清，请再做一次。',
  'capture.face_lost': '没有看到您的脸，请重新对准摄像头。',
  'capture.one_person': '请确保镜头前只有您一个人。',
  'capture.look_at_camera': '做得很好，请注视摄像头，保持不动。',
  'capture.failed': '这次没有完成验证，您可以重新开始，或到服务窗口办理。',
  'capture.camera_problem': '摄像头暂时不能使用，请稍后点击重试，或到服务窗口办理。',
  'capture.unsteady': '镜头前的人脸不稳定，请一个人坐好，正对摄像头。',
  'action.raise_head': '请抬头。',
  'action.lower_head': '请低头。',
  'action.turn_left': '请向左转头。',
  'action.turn_right': '请向右转头。',
  'action.nod': '请点头。',
  'action.shake_head': '请摇头。',
  'action.open_mouth': '请张嘴。',
  'action.blink': '请眨眼。',
  'captured.review': '拍摄完成，请确认照片后点击提交。',
  'submitting.wait': '正在提交，请稍候。',
  'printing.wait': '正在打印回执，请稍候。',
  'result.success': '验证成功。',
  'result.review': '您的验证已提交，需要工作人员审核。',
  'result.queued': '网络暂时不通，您的验证已保存，系统会自动提交，无需重复办理。',
  'result.rejected': '验证没有通过，请到服务窗口办理。',
  'result.already_verified': '您已完成本年度生存验证。',
  'result.failed': '提交没有成功，请到服务窗口办理。',
  'receipt.take': '回执打印成功，请取走回执。',
  'receipt.failed': '回执没有打印出来，请记下屏幕上的回执号。',
  'countdown.warning': '操作即将超时，如需继续请点击屏幕。',
  'session.timeout': '操作超时，已返回首页。',
  'help.open': '如需帮助，请联系大厅工作人员。',
} as const;

export type PromptId = keyof typeof PROMPTS;

export function isPromptId(value: unknown): value is PromptId {
  return typeof value === 'string' && Object.hasOwn(PROMPTS, value);
}
