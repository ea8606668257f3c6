import { expect } from 'chai';
import { pathKey } from '../../../domain/thread/pathKey.js';

describe('pathKey: a path as Rust’s Path compares it', () => {
  it('drops trailing and doubled slashes and inner `.` components', () => {
    expect(pathKey('/work/app/')).to.equal('/work/app');
    expect(pathKey('//work//app//')).to.equal('/work/app');
    expect(pathKey('/work/./app')).to.equal('/work/app');
    expect(pathKey('/')).to.equal('/');
  });
  it('keeps `..`, a leading `.` of a relative path, and case', () => {
    expect(pathKey('/work/../app')).to.equal('/work/../app');
    expect(pathKey('./app/')).to.equal('./app');
    expect(pathKey('/Work/App')).to.not.equal(pathKey('/work/app'));
  });
});
