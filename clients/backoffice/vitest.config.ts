import { ptiProject } from '../../vitest.shared.ts';

export default ptiProject('@pti/backoffice');
