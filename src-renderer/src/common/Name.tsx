// A name from the inspected machine (process, module, file, host, command line): in an isolate, so
// right-to-left letters in it can't reorder the text around it, and with its bidi controls shown as
// "\u202E" escapes, so an override can't disguise it ("gpj.exe" read as "exe.jpg").
import { showControls } from '../../../src-common/model/report/bidi'

export { showControls }

interface NameProps {
  children: string
  className?: string
  /** a longer form for the tooltip (the path of an executable) */
  title?: string
}

export function Name({ children, className, title }: NameProps) {
  return (
    <bdi className={className} title={title === undefined ? undefined : showControls(title)}>
      {showControls(children)}
    </bdi>
  )
}
